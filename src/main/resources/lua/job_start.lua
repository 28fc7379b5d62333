-- A worker took a stream entry (new delivery or take-over): decide whether to run it, and count the attempt.
-- KEYS[1] stream, KEYS[2] job record, KEYS[3] dead-letter stream
-- ARGV[1] group, ARGV[2] entry id, ARGV[3] job id, ARGV[4] worker, ARGV[5] now (ms), ARGV[6] retention (ms),
-- ARGV[7] dead-letter max length
-- Returns {'run', type, payload, attempt, createdAt} or {'skip', reason} (start_delivery, lib/job_delivery.lua).
return start_delivery(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
