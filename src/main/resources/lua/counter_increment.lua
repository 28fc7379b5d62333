-- Increment a counter and announce the change, atomically.
-- KEYS[1] counter value, KEYS[2] counter version (same hash tag); ARGV[1] amount (canonical decimal),
-- ARGV[2] the counter's change channel. Returns the new value as a string.
-- INCRBY raises on 64-bit overflow, which aborts the script before anything is changed or announced.
redis.call('INCRBY', KEYS[1], ARGV[1])
-- Read the value back as a string: Lua numbers are doubles and would round values beyond 2^53.
local value = redis.call('GET', KEYS[1])
-- The version only ever grows (a reset increments it too), so a live subscriber can drop any message older
-- than one it has already seen; publishing inside the script orders the messages exactly as the changes.
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[2], string.format('%d', version) .. ' ' .. value)
return value
