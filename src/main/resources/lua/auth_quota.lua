-- Counts requests against a caller's quota: a fixed one-second window that starts with its first request.
-- KEYS[1] the caller's window counter; ARGV[1] the window (ms); ARGV[2] how many requests (auth/QuotaCounter
-- sends those of one caller that waited for the previous count together)
-- Returns {requests in this window, these included; ms until the window ends}. The counter expires with its
-- window, so a caller that stops leaves nothing behind.
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
    -- A new window (or a counter that lost its lifetime, written by hand say): it ends one window from now.
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    left = tonumber(ARGV[1])
end
return {count, left}
