package dev.tally.job;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Background jobs: admission, the worker's bounds and timings, retries and retention. */
@ConfigMapping(prefix = "tally.job")
public interface JobSettings {

    /** {@code tally.job.max-payload-bytes}: largest payload (as compact JSON text); larger is a 413 at submit. */
    @WithDefault("65536")
    int maxPayloadBytes();

    /**
     * {@code tally.job.shards}: streams the queue is spread over, each under a hash tag of its own (on a Cluster,
     * set a multiple of the masters). Workers read every shard ever used, so the count may change at any time.
     */
    @WithDefault("1")
    int shards();

    /**
     * {@code tally.job.max-outstanding}: jobs queued or running at once (the streams' length). Each shard holds at
     * most its share (rounded up); a submit tries every shard of the layout, and past the bound gets a 503 with
     * {@code Retry-After}: the streams are bounded by refusing work, never by trimming them.
     */
    @WithDefault("100000")
    int maxOutstanding();

    /** {@code tally.job.retention}: how long a job record (status, result, error) lives after its last change. */
    @WithDefault("24h")
    Duration retention();

    /** {@code tally.job.max-attempts}: attempts before a job is {@code dead} (a re-drive grants as many again). */
    @WithDefault("5")
    int maxAttempts();

    DeadLetter deadLetter();

    Retry retry();

    Worker worker();

    /** {@code tally.job.stats-interval}: how often every replica samples queue depth, pending and lag. */
    @WithDefault("5s")
    Duration statsInterval();

    interface DeadLetter {
        /**
         * {@code tally.job.dead-letter.max-length}: entries kept in the dead-letter stream (the oldest are trimmed
         * from the list; their job records stay re-drivable by id until the retention ends).
         */
        @WithDefault("10000")
        int maxLength();
    }

    interface Retry {
        /** {@code tally.job.retry.initial-backoff}: wait before the second attempt; doubles after each failure. */
        @WithDefault("1s")
        Duration initialBackoff();

        /** {@code tally.job.retry.max-backoff}: the longest wait between two attempts. */
        @WithDefault("5m")
        Duration maxBackoff();
    }

    interface Worker {
        /** {@code tally.job.worker.concurrency}: jobs one worker replica runs at once (all types). */
        @WithDefault("16")
        int concurrency();

        /** {@code tally.job.worker.cpu-threads}: platform threads for CPU-bound handlers; 0 = one per core. */
        @WithDefault("0")
        int cpuThreads();

        /**
         * {@code tally.job.worker.visibility-timeout}: a delivered job whose worker has not renewed its claim for
         * this long is taken over by another worker ({@code XAUTOCLAIM}). Workers renew every third of it.
         */
        @WithDefault("30s")
        Duration visibilityTimeout();

        /** {@code tally.job.worker.block}: how long one {@code XREADGROUP} waits in Redis for new jobs. */
        @WithDefault("1s")
        Duration block();

        /**
         * {@code tally.job.worker.drain-timeout}: at SIGTERM, how long running jobs may take to finish before they
         * are stopped and released to other workers. Must stay below the shutdown delay plus timeout.
         */
        @WithDefault("15s")
        Duration drainTimeout();
    }
}
