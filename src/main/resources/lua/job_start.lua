-- A worker took a stream entry (new delivery or take-over): decide whether to run it, and count the attempt.
-- KEYS[1] stream, KEYS[2] job record, KEYS[3] dead-letter stream
-- ARGV[1] group, ARGV[2] entry id, ARGV[3] job id, ARGV[4] worker, ARGV[5] now (ms), ARGV[6] retention (ms),
-- ARGV[7] dead-letter max length
-- Returns {'run', type, payload, attempt, createdAt} or {'skip', reason}.
local job = redis.call('HMGET', KEYS[2], 'status', 'attempts', 'attemptLimit', 'type', 'payload', 'entry',
    'createdAt')
local status = job[1]
local function drop()
    redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
    redis.call('XDEL', KEYS[1], ARGV[2])
end
if not status then
    drop()
    return {'skip', 'expired'}
end
-- A stale entry (the job was re-queued under a new entry since) or a finished job: nothing to do.
if job[6] ~= ARGV[2] or (status ~= 'queued' and status ~= 'running') then
    drop()
    return {'skip', status}
end
local attempts = tonumber(job[2])
if attempts >= tonumber(job[3]) then
    -- Every allowed attempt was used, the last ones by workers that died or stopped renewing: give up.
    drop()
    local reason = 'gave up after ' .. attempts .. ' attempts (the last worker stopped renewing its claim)'
    local dead = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'id', ARGV[3], 'type', job[4],
        'error', reason, 'attempts', attempts)
    redis.call('HSET', KEYS[2], 'status', 'dead', 'error', reason, 'finishedAt', ARGV[5], 'updatedAt', ARGV[5],
        'deadEntry', dead, 'entry', '')
    redis.call('PEXPIRE', KEYS[2], ARGV[6])
    return {'skip', 'dead'}
end
attempts = attempts + 1
redis.call('HSET', KEYS[2], 'status', 'running', 'attempts', attempts, 'startedAt', ARGV[5], 'updatedAt', ARGV[5],
    'worker', ARGV[4])
redis.call('HDEL', KEYS[2], 'retryAt')
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return {'run', job[4], job[5], tostring(attempts), job[7]}
