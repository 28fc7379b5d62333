-- Records a key's last use, unless it was revoked meanwhile (a plain HSET would bring a revoked record back).
-- KEYS[1] the key's record; ARGV[1] now (ms)
if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[1])
end
return 1
