-- Creates an API key, atomically: a unique name, a bounded number of keys, the record and its index entry together.
-- KEYS[1] name index (hash name -> id), KEYS[2] the key's record
-- ARGV[1] name, ARGV[2] id, ARGV[3] scopes, ARGV[4] secret hash, ARGV[5] created (ms), ARGV[6] expires (ms or ''),
-- ARGV[7] most keys
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
    return redis.error_reply('EXISTS ' .. ARGV[1])
end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[7]) then
    return redis.error_reply('FULL ' .. ARGV[7])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], 'name', ARGV[1], 'scopes', ARGV[3], 'hash', ARGV[4], 'createdAt', ARGV[5],
    'expiresAt', ARGV[6])
return 1
