-- Reset (delete) a counter and announce value 0, atomically.
-- KEYS[1] counter value, KEYS[2] counter version; ARGV[1] the counter's change channel.
-- Returns 1 when a counter was reset, 0 when there was none: then nothing is written and nothing announced (its
-- value already reads 0), so a reset of any name creates no key.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('DEL', KEYS[1])
local version = redis.call('INCR', KEYS[2])
redis.call('SPUBLISH', ARGV[1], string.format('%d', version) .. ' 0')
-- The version goes with the value: the next increment starts a new one from Redis' clock, above this one
-- (counter_increment.lua), so live feeds keep their order without a key that outlives the counter.
redis.call('DEL', KEYS[2])
return 1
