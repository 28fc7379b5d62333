-- Publish one replica's snapshot for the cluster view. KEYS[1] index (sorted set), KEYS[2] snapshot key;
-- ARGV[1] instance id, ARGV[2] snapshot JSON, ARGV[3] ttl ms. Scores use Redis' clock, not the replicas', so
-- clock skew between pods cannot keep a dead replica listed or drop a live one. Returns the index size.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
redis.call('PEXPIRE', KEYS[1], ttl)
return redis.call('ZCARD', KEYS[1])
