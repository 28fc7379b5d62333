package dev.tally.redis;

/** Redis could not be reached or did not answer in time: the request fails with 503, the process stays up. */
public final class RedisUnavailableException extends RuntimeException {

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
