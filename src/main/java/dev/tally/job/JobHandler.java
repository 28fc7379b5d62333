package dev.tally.job;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The handler SPI: one CDI bean per job type. Delivery is at least once (a worker can die after doing the work but
 * before recording it, and a slow worker's job can be taken over while it still runs), so {@link #run} must be
 * idempotent: running it twice for the same job id must do no more harm than running it once.
 */
public interface JobHandler {

    /** Where a handler runs. */
    enum Kind {
        /** Waits on I/O or sleeps: one virtual thread per job. */
        BLOCKING,
        /** Burns CPU: the worker's bounded platform-thread pool (a busy virtual thread would pin its carrier). */
        CPU
    }

    /** The {@code type} clients submit, e.g. {@code sleep}. */
    String type();

    Kind kind();

    /** Problems with a payload, checked at submit (400 with these messages); empty when it is acceptable. */
    List<String> validate(JsonNode payload);

    /**
     * Does the work and returns the result (any JSON, may be null). Throw {@link JobFailure} to fail: retryable
     * failures are retried with backoff, permanent ones end the job as {@code failed}. Long work should check
     * {@link JobContext#cancelled()} (or react to interruption) and report {@link JobContext#progress(int)}.
     */
    JsonNode run(JsonNode payload, JobContext context) throws Exception;
}
