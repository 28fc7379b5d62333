-- Increment a counter at most once per idempotency key, atomically.
-- KEYS[1] counter value, KEYS[2] idempotency record, KEYS[3] counter version (same hash tag)
-- ARGV[1] amount (canonical decimal), ARGV[2] retention in milliseconds, ARGV[3] the counter's change channel
-- Returns {value, replayed}: replayed = 1 when the key had already been used with this amount.
-- Refuses with "MISMATCH <amount>" when the key was first used with a different amount.
local recorded = redis.call('HMGET', KEYS[2], 'by', 'value')
if recorded[1] then
  if recorded[1] ~= ARGV[1] then
    return redis.error_reply('MISMATCH ' .. recorded[1])
  end
  return {recorded[2], 1}
end
-- INCRBY raises on 64-bit overflow, which aborts the script before anything is recorded.
redis.call('INCRBY', KEYS[1], ARGV[1])
-- Read the value back as a string: Lua numbers are doubles and would round values beyond 2^53.
local value = redis.call('GET', KEYS[1])
redis.call('HSET', KEYS[2], 'by', ARGV[1], 'value', value)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
-- A replay changes nothing and announces nothing; a first use announces like counter_increment.lua, whose
-- comments say why a new version starts from Redis' clock.
local version = redis.call('INCR', KEYS[3])
if version == 1 then
  local now = redis.call('TIME')
  version = tonumber(now[1]) * 1000000 + tonumber(now[2])
  redis.call('SET', KEYS[3], string.format('%d', version))
end
-- Formatted, not concatenated: Lua would print a number past 10^14 as 1.7e+15 (exact up to 2^53, year 2255).
redis.call('SPUBLISH', ARGV[3], string.format('%d', version) .. ' ' .. value)
return {value, 0}
