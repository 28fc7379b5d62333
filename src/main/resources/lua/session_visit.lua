-- Count a visit and slide the session's expiry. KEYS[1] session hash; ARGV[1] ttl ms.
-- Returns the new visit count, or nil when there is no such session.
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then
  return false
end
return redis.call('HINCRBY', KEYS[1], 'm:visits', 1)
