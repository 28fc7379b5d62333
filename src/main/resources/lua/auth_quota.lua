-- Counts one request against a caller's quota: a fixed one-second window that starts with its first request.
-- KEYS[1] the caller's window counter; ARGV[1] the window (ms)
-- Returns {requests in this window, this one included; ms until the window ends}. The counter expires with its
-- window, so a caller that stops leaves nothing behind.
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
    -- A new window (or a counter that lost its lifetime, written by hand say): it ends one window from now.
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    left = tonumber(ARGV[1])
end
return {count, left}
