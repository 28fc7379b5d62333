package dev.tally.job;

import dev.tally.redis.Keys;

/**
 * One shard of the job queue: shard {@code index} of a layout of {@code count} shards ({@code tally.job.shards}).
 * A job lives in one shard for its whole life, and its id names it ({@link JobId}).
 */
record JobShard(int count, int index) implements Comparable<JobShard> {

    JobShard {
        if (count < 1 || count > Keys.MAX_JOB_SHARDS || index < 0 || index >= count) {
            throw new IllegalArgumentException("no job shard " + index + " of " + count);
        }
    }

    /** What a job id carries after its random part: nothing for the one shard of a layout of one. */
    String idSuffix() {
        return count == 1 ? "" : "." + count + "." + index;
    }

    @Override
    public int compareTo(JobShard other) {
        return count != other.count ? Integer.compare(count, other.count) : Integer.compare(index, other.index);
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
