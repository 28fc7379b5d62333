-- Puts a job back on the stream under a new entry: a retry whose backoff is over, a job a stopping worker
-- releases, or a dead job an operator re-drives.
-- KEYS[1] stream, KEYS[2] job record, KEYS[3] retry set, KEYS[4] dead-letter stream
-- ARGV[1] group, ARGV[2] job id, ARGV[3] from ('retry', 'release' or 'redrive'), ARGV[4] entry id being released
-- (release only), ARGV[5] now (ms), ARGV[6] retention (ms), ARGV[7] attempts granted by a re-drive
-- Returns the new entry id, or nil when the job is not in the state the caller expected.
local job = redis.call('HMGET', KEYS[2], 'status', 'entry', 'type', 'attempts', 'deadEntry')
local from = ARGV[3]
if from == 'retry' then
    if redis.call('ZREM', KEYS[3], ARGV[2]) == 0 or job[1] ~= 'queued' or job[2] ~= '' then
        return false
    end
elseif from == 'release' then
    if job[1] ~= 'running' or job[2] ~= ARGV[4] then
        return false
    end
    redis.call('XACK', KEYS[1], ARGV[1], ARGV[4])
    redis.call('XDEL', KEYS[1], ARGV[4])
elseif from == 'redrive' then
    if job[1] ~= 'dead' then
        return false
    end
    if job[5] then
        redis.call('XDEL', KEYS[4], job[5])
    end
    redis.call('HSET', KEYS[2], 'attemptLimit', tonumber(job[4]) + tonumber(ARGV[7]))
    redis.call('HDEL', KEYS[2], 'deadEntry', 'finishedAt')
else
    return redis.error_reply('ARGUMENT unknown requeue source ' .. from)
end
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[2], 'type', job[3])
redis.call('HSET', KEYS[2], 'status', 'queued', 'entry', entry, 'updatedAt', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return entry
