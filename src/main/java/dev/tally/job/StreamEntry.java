package dev.tally.job;

import dev.tally.redis.StreamItem;

/** One delivery from the job stream: the entry's id and the job it points at. */
record StreamEntry(String entryId, String jobId, String type) {

    /** From an entry that {@code job_submit} or {@code job_requeue} added ({@code XADD ... id ... type ...}). */
    static StreamEntry of(StreamItem item) {
        return new StreamEntry(item.id(), item.field("id"), item.field("type"));
    }
}
