-- A client cancels a job. Queued (or waiting out a retry backoff): cancelled at once, and it never starts (its
-- stream entry, if any, is dropped by the worker that reads it). Running: flagged; the worker that holds it sees
-- the flag at its next renewal and interrupts the handler.
-- KEYS[1] job record, KEYS[2] retry set
-- ARGV[1] job id, ARGV[2] now (ms), ARGV[3] retention (ms), ARGV[4] the caller's identity, or '' for any owner
-- Returns the status before the call, or nil for an unknown job or one of another owner (not revealed).
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
    return false
end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[4] then
    return false
end
if status == 'queued' then
    redis.call('ZREM', KEYS[2], ARGV[1])
    redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelRequested', 1, 'finishedAt', ARGV[2],
        'updatedAt', ARGV[2])
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
elseif status == 'running' then
    redis.call('HSET', KEYS[1], 'cancelRequested', 1, 'updatedAt', ARGV[2])
end
return status
