-- A run ended for good: succeeded, failed permanently, or cancelled. Acknowledges and deletes the entry with it.
-- KEYS[1] stream, KEYS[2] job record
-- ARGV[1] group, ARGV[2] entry id, ARGV[3] status, ARGV[4] field (result or error), ARGV[5] its value,
-- ARGV[6] now (ms), ARGV[7] retention (ms)
-- Returns 1 when this run decided the job, 0 when another delivery (or a cancel, a release) already had.
local job = redis.call('HMGET', KEYS[2], 'status', 'entry')
if job[2] == ARGV[2] then
    redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
    redis.call('XDEL', KEYS[1], ARGV[2])
end
if job[1] ~= 'running' or job[2] ~= ARGV[2] then
    return 0
end
redis.call('HSET', KEYS[2], 'status', ARGV[3], ARGV[4], ARGV[5], 'finishedAt', ARGV[6], 'updatedAt', ARGV[6],
    'entry', '')
if ARGV[3] == 'succeeded' then
    redis.call('HSET', KEYS[2], 'progress', 100)
end
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return 1
