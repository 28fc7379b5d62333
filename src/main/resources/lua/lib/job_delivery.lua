-- Shared by the scripts that start a delivery (Redis scripts cannot call one another, so LuaScript puts this file
-- in front of each of them): job_start, for an entry the intake read or took over, and job_finish, for the next
-- entry a finishing run takes.
-- start_delivery decides whether to run a stream entry, and counts the attempt. Arguments: the stream, the job's
-- record, the dead-letter stream, the group, the entry id, the job id, the worker (consumer), now (ms), the
-- retention (ms) and the dead-letter stream's max length.
-- Returns {'run', type, payload, attempt, createdAt} or {'skip', reason}.
local function start_delivery(stream, record, dead_letters, group, entry_id, job_id, worker, now, retention, dead_max)
    local job = redis.call('HMGET', record, 'status', 'attempts', 'attemptLimit', 'type', 'payload', 'entry',
        'createdAt')
    local status = job[1]
    local function drop()
        redis.call('XACK', stream, group, entry_id)
        redis.call('XDEL', stream, entry_id)
    end
    if not status then
        drop()
        return {'skip', 'expired'}
    end
    -- A stale entry (the job was re-queued under a new entry since) or a finished job: nothing to do.
    if job[6] ~= entry_id or (status ~= 'queued' and status ~= 'running') then
        drop()
        return {'skip', status}
    end
    local attempts = tonumber(job[2])
    if attempts >= tonumber(job[3]) then
        -- Every allowed attempt was used, the last ones by workers that died or stopped renewing: give up.
        drop()
        local reason = 'gave up after ' .. attempts .. ' attempts (the last worker stopped renewing its claim)'
        local dead = redis.call('XADD', dead_letters, 'MAXLEN', '~', dead_max, '*', 'id', job_id, 'type', job[4],
            'error', reason, 'attempts', attempts)
        redis.call('HSET', record, 'status', 'dead', 'error', reason, 'finishedAt', now, 'updatedAt', now,
            'deadEntry', dead, 'entry', '')
        redis.call('PEXPIRE', record, retention)
        return {'skip', 'dead'}
    end
    attempts = attempts + 1
    redis.call('HSET', record, 'status', 'running', 'attempts', attempts, 'startedAt', now, 'updatedAt', now,
        'worker', worker)
    redis.call('HDEL', record, 'retryAt')
    redis.call('PEXPIRE', record, retention)
    return {'run', job[4], job[5], tostring(attempts), job[7]}
end
