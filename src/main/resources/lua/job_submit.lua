-- Records a new job and queues it, atomically: no record without a stream entry, and the other way round.
-- KEYS[1] stream, KEYS[2] job record
-- ARGV[1] job id, ARGV[2] type, ARGV[3] payload (JSON), ARGV[4] now (ms), ARGV[5] retention (ms),
-- ARGV[6] attempt limit, ARGV[7] most outstanding jobs, ARGV[8] owner (the submitting caller's identity)
-- The stream holds only outstanding work (every terminal step XDELs its entry), so its length is the backlog;
-- past the bound the submit is refused rather than any entry trimmed.
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[7]) then
    return redis.error_reply('FULL ' .. ARGV[7] .. ' jobs outstanding')
end
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'type', ARGV[2])
redis.call('HSET', KEYS[2], 'type', ARGV[2], 'payload', ARGV[3], 'status', 'queued', 'attempts', 0,
    'attemptLimit', ARGV[6], 'progress', 0, 'createdAt', ARGV[4], 'updatedAt', ARGV[4], 'entry', entry, 'owner', ARGV[8])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return entry
