-- Increment a counter and announce the change, atomically.
-- KEYS[1] counter value, KEYS[2] counter version (same hash tag); ARGV[1] amount (canonical decimal),
-- ARGV[2] the counter's change channel. Returns the new value as a string.
-- INCRBY raises on 64-bit overflow, which aborts the script before anything is changed or announced.
redis.call('INCRBY', KEYS[1], ARGV[1])
-- Read the value back as a string: Lua numbers are doubles and would round values beyond 2^53.
local value = redis.call('GET', KEYS[1])
-- The version only ever grows, so a live subscriber can drop any message older than one it has already seen;
-- publishing inside the script orders the messages exactly as the changes. A reset deletes the version with the
-- value (no key outlives its counter), so a counter (re)born starts from Redis' clock in microseconds: above
-- every version its earlier life reached (fewer than one change per microsecond).
local version = redis.call('INCR', KEYS[2])
if version == 1 then
  local now = redis.call('TIME')
  version = tonumber(now[1]) * 1000000 + tonumber(now[2])
  redis.call('SET', KEYS[2], string.format('%d', version))
end
-- Formatted, not concatenated: Lua would print a number past 10^14 as 1.7e+15 (exact up to 2^53, year 2255).
-- SPUBLISH (sharded, Redis 7) on every topology: on a Cluster the message goes only to the master of the channel's
-- slot and its replicas, not to every node; the channel carries the counter's hash tag, so it is in this script's
-- slot, as Redis requires (docs/design-notes.md, "Live feeds").
redis.call('SPUBLISH', ARGV[2], string.format('%d', version) .. ' ' .. value)
return value
