-- One SCAN step on the node that runs this script. On a Redis Cluster the client sends a script to the master of
-- its key's slot, so KEYS[1] (never read or written) chooses the master whose keys are scanned.
-- ARGV[1] the SCAN cursor, ARGV[2] the MATCH pattern, ARGV[3] the COUNT hint. Returns SCAN's reply.
return redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
