-- Merge attributes into a session, all or nothing, and slide its expiry.
-- KEYS[1] session hash; ARGV[1] ttl ms; ARGV[2] max attributes; ARGV[3..] field/value pairs where an empty
-- value deletes the field (a stored value is JSON text, never empty).
-- Returns the hash after the change, nil when there is no such session, or the error "LIMIT <count>" when the
-- change would leave more attributes than allowed (nothing is changed then).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
-- Every session holds exactly two metadata fields (m:created, m:visits); the rest are attributes.
local count = redis.call('HLEN', KEYS[1]) - 2
for i = 3, #ARGV, 2 do
  local present = redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1
  if ARGV[i + 1] == '' then
    if present then count = count - 1 end
  elseif not present then
    count = count + 1
  end
end
if count > tonumber(ARGV[2]) then
  return redis.error_reply('LIMIT ' .. count)
end
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('HGETALL', KEYS[1])
