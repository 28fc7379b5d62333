package dev.tally.redis;

import java.util.Optional;

/**
 * Redis could not be reached, did not answer in time, or refused the command for now ({@link RedisRefusal}: full,
 * read-only, loading, busy...): the request fails with 503, the process stays up, and the same call succeeds later.
 */
public final class RedisUnavailableException extends RuntimeException {

    private final transient RedisRefusal refusal;

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
        this.refusal = null;
    }

    /** Redis answered, with a transient refusal. */
    public RedisUnavailableException(RedisRefusal refusal, String message) {
        super(message, null, false, false);
        this.refusal = refusal;
    }

    /** Which refusal Redis answered with; empty when Redis did not answer at all. */
    public Optional<RedisRefusal> refusal() {
        return Optional.ofNullable(refusal);
    }
}
