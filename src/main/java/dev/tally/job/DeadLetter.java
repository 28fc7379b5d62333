package dev.tally.job;

import java.time.Instant;

import dev.tally.redis.StreamItem;

/** One entry of the dead-letter list, as {@code GET /ops/jobs/dead} shows it. */
public record DeadLetter(String id, String type, long attempts, String error, Instant deadAt) {

    /** From an entry that {@code job_retry} or {@code job_start} added to the dead-letter stream. */
    static DeadLetter of(StreamItem item) {
        String attempts = item.field("attempts");
        return new DeadLetter(item.field("id"), item.field("type"), attempts == null ? 0 : Long.parseLong(attempts),
                item.field("error"), Instant.ofEpochMilli(item.addedAtMillis()));
    }
}
