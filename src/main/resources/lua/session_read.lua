-- Read a session and slide its expiry. KEYS[1] session hash; ARGV[1] ttl ms.
-- Returns the hash as a flat field/value list, or nil when there is no such session.
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then
  return false
end
return redis.call('HGETALL', KEYS[1])
