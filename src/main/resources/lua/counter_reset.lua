-- Reset (delete) a counter and announce value 0, atomically.
-- KEYS[1] counter value, KEYS[2] counter version (kept: it must keep growing across resets);
-- ARGV[1] the counter's change channel.
redis.call('DEL', KEYS[1])
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[1], string.format('%d', version) .. ' 0')
return 1
