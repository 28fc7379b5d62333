package dev.tally.redis;

import java.util.Optional;

/**
 * Redis could not be reached, did not answer in time, or refused the command for now ({@link RedisRefusal}: full,
 * read-only, loading, busy...): the request fails with 503, the process stays up, and the same call succeeds later.
 * Or a change was made on the master but fewer replicas than {@code tally.redis.min-replicas-acked} confirmed it in
 * time ({@link #writeUnconfirmed()}): a 503 too, one that tells the caller the change may have happened.
 */
public final class RedisUnavailableException extends RuntimeException {

    private final transient RedisRefusal refusal;
    private final boolean writeUnconfirmed;

    public RedisUnavailableException(String message, Throwable cause) {
        this(message, cause, null, false);
    }

    /** Redis answered, with a transient refusal. */
    public RedisUnavailableException(RedisRefusal refusal, String message) {
        this(message, null, refusal, false);
    }

    private RedisUnavailableException(String message, Throwable cause, RedisRefusal refusal, boolean unconfirmed) {
        super(message, cause, false, false);
        this.refusal = refusal;
        this.writeUnconfirmed = unconfirmed;
    }

    /** The master made the change; not enough replicas confirmed it in time ({@link ReplicaAcknowledgement}). */
    static RedisUnavailableException writeUnconfirmed(String message) {
        return new RedisUnavailableException(message, null, null, true);
    }

    /** Which refusal Redis answered with; empty when Redis did not answer at all. */
    public Optional<RedisRefusal> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** True when the change was made on the master, but not on enough replicas in time: it may have happened. */
    public boolean writeUnconfirmed() {
        return writeUnconfirmed;
    }
}
