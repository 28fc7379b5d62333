-- A worker renews its claim on the entries it is running (resetting their idle time, so XAUTOCLAIM leaves them
-- alone), stores their progress, and learns which were cancelled. An entry another worker took over meanwhile is
-- not taken back. Each renewal also restarts the record's retention: a job may run longer than
-- tally.job.retention, and its record must not expire under it (its outcome would have nowhere to go).
-- KEYS[1] stream, KEYS[2..n] job records
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] retention (ms), then per job: entry id, progress (or '')
-- Returns per job: 0 no longer ours, 1 ours, 2 ours and cancel requested.
local answers = {}
for i = 2, #KEYS do
    local entry = ARGV[2 * i]
    local progress = ARGV[2 * i + 1]
    local mine = redis.call('XPENDING', KEYS[1], ARGV[1], entry, entry, 1, ARGV[2])
    if #mine == 0 then
        answers[i - 1] = 0
    else
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, entry, 'JUSTID')
        local job = redis.call('HMGET', KEYS[i], 'status', 'cancelRequested')
        if job[1] == 'running' then
            if progress ~= '' then
                redis.call('HSET', KEYS[i], 'progress', progress)
            end
            redis.call('PEXPIRE', KEYS[i], ARGV[3])
        end
        answers[i - 1] = job[2] == '1' and 2 or 1
    end
end
return answers
