-- A run ended for good: succeeded, failed permanently, or cancelled. Acknowledges and deletes the entry with it.
-- Then, when asked (ARGV[8] names the consumer), takes that consumer's next new entry of the stream and starts it
-- as job_start does: a worker with a backlog makes one round trip per job instead of three (finish, read, start).
-- KEYS[1] stream, KEYS[2] job record, KEYS[3] dead-letter stream, KEYS[4] the prefix of the job records' keys:
-- the next job's record is KEYS[4] .. its id, a key that cannot be named before the read; it shares the others'
-- hash tag, so on a cluster the script still touches one slot.
-- ARGV[1] group, ARGV[2] entry id, ARGV[3] status, ARGV[4] field (result or error), ARGV[5] its value,
-- ARGV[6] now (ms), ARGV[7] retention (ms), ARGV[8] the consumer to take the next entry for ('': none),
-- ARGV[9] dead-letter max length
-- Returns {decided} or {decided, {entry id, job id, type}, start}: decided is 1 when this run decided the job, 0
-- when another delivery (or a cancel, a release) already had; start is start_delivery's answer for the next entry.
local decided = 0
local job = redis.call('HMGET', KEYS[2], 'status', 'entry')
if job[2] == ARGV[2] then
    redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
    redis.call('XDEL', KEYS[1], ARGV[2])
end
if job[1] == 'running' and job[2] == ARGV[2] then
    redis.call('HSET', KEYS[2], 'status', ARGV[3], ARGV[4], ARGV[5], 'finishedAt', ARGV[6], 'updatedAt', ARGV[6],
        'entry', '')
    if ARGV[3] == 'succeeded' then
        redis.call('HSET', KEYS[2], 'progress', 100)
    end
    redis.call('PEXPIRE', KEYS[2], ARGV[7])
    decided = 1
end
if ARGV[8] == '' then
    return {decided}
end
local read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[8], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
if not read then
    return {decided}
end
local entry = read[1][2][1]
local fields = {}
for i = 1, #entry[2], 2 do
    fields[entry[2][i]] = entry[2][i + 1]
end
return {decided, {entry[1], fields.id, fields.type}, start_delivery(KEYS[1], KEYS[4] .. fields.id, KEYS[3],
    ARGV[1], entry[1], fields.id, ARGV[8], ARGV[6], ARGV[7], ARGV[9])}
