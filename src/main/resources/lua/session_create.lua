-- Create a session unless the id is taken (a 128-bit collision: never, but checked for free).
-- KEYS[1] session hash; ARGV[1] ttl ms (the idle ttl, or the absolute lifetime when shorter); ARGV[2] creation
-- time (epoch ms); ARGV[3..] attribute field/value pairs
-- Returns 1 when created, 0 when the id already exists.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'm:created', ARGV[2], 'm:visits', '0')
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
