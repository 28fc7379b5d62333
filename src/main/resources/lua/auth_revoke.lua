-- Revokes an API key: its record and its index entry go together. The record is what every replica reads.
-- KEYS[1] name index, KEYS[2] the key's record; ARGV[1] name, ARGV[2] id (read from the index just before)
-- Returns 1, or 0 when the name is unknown or no longer that id (revoked and re-created meanwhile).
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
    return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
