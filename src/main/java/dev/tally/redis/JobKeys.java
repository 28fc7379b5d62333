package dev.tally.redis;

/**
 * The keys of one job shard ({@link Keys#jobShard}), all under its hash tag: the stream (one consumer group, the
 * queue), the sorted set of retries waiting out their backoff, the dead-letter stream, and one hash per job.
 */
public record JobKeys(String base) {

    public String stream() {
        return base + "stream";
    }

    /** Sorted set of job ids waiting out a retry backoff, scored by when they are due (epoch ms). */
    public String retries() {
        return base + "retries";
    }

    public String deadLetters() {
        return base + "dead";
    }

    /** A job's record (a hash); {@code jobId} has been validated by the caller. */
    public String job(String jobId) {
        return jobPrefix() + jobId;
    }

    /** What every job record's key starts with: for a script that finds a job id in the stream. */
    public String jobPrefix() {
        return base + "job:";
    }
}
