package dev.tally.job;

/**
 * The queue (or one shard of it) as Redis sees it, shared by every replica. {@code queued} entries wait for a first delivery;
 * {@code pending} ones are delivered and not yet acknowledged (running, or held by a worker that died). Ages are
 * measured from the entry's id, i.e. from when it was queued; the oldest queued age is the queue's lag.
 */
record QueueStats(long queued, long pending, double oldestQueuedAgeSeconds, double oldestPendingAgeSeconds,
        long retrying, long deadLetters) {

    static final QueueStats EMPTY = new QueueStats(0, 0, 0, 0, 0, 0);

    /** Two shards' stats as one queue's: counts add up, the oldest age is the older one. */
    QueueStats plus(QueueStats other) {
        return new QueueStats(queued + other.queued, pending + other.pending,
                Math.max(oldestQueuedAgeSeconds, other.oldestQueuedAgeSeconds),
                Math.max(oldestPendingAgeSeconds, other.oldestPendingAgeSeconds), retrying + other.retrying,
                deadLetters + other.deadLetters);
    }
}
