-- A run failed and may be retried: schedule it after a backoff, or, with no attempt left, declare it dead.
-- KEYS[1] stream, KEYS[2] job record, KEYS[3] retry set, KEYS[4] dead-letter stream
-- ARGV[1] group, ARGV[2] entry id, ARGV[3] job id, ARGV[4] error, ARGV[5] now (ms), ARGV[6] retention (ms),
-- ARGV[7] due (ms), ARGV[8] dead-letter max length
-- Returns 'retry', 'dead' or 'stale' (another delivery, a cancel or a release decided the job first).
local job = redis.call('HMGET', KEYS[2], 'status', 'entry', 'attempts', 'attemptLimit', 'type')
if job[2] == ARGV[2] then
    redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
    redis.call('XDEL', KEYS[1], ARGV[2])
end
if job[1] ~= 'running' or job[2] ~= ARGV[2] then
    return 'stale'
end
redis.call('PEXPIRE', KEYS[2], ARGV[6])
if tonumber(job[3]) >= tonumber(job[4]) then
    local dead = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*', 'id', ARGV[3], 'type', job[5],
        'error', ARGV[4], 'attempts', job[3])
    redis.call('HSET', KEYS[2], 'status', 'dead', 'error', ARGV[4], 'finishedAt', ARGV[5], 'updatedAt', ARGV[5],
        'deadEntry', dead, 'entry', '')
    return 'dead'
end
redis.call('HSET', KEYS[2], 'status', 'queued', 'error', ARGV[4], 'retryAt', ARGV[7], 'updatedAt', ARGV[5],
    'entry', '')
redis.call('ZADD', KEYS[3], ARGV[7], ARGV[3])
return 'retry'
