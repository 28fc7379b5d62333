package dev.tally.redis;

/** Redis answered with an error reply: the command reached Redis and was refused (e.g. an overflow). */
public final class RedisReplyException extends RuntimeException {

    public RedisReplyException(String message) {
        super(message, null, false, false);
    }

    /** INCRBY and HINCRBY refuse to leave the signed 64-bit range with this error. */
    public boolean isOverflow() {
        return getMessage() != null && getMessage().contains("would overflow");
    }

    /** Scripts refuse with a reply whose first word is the reason code, e.g. {@code LIMIT ...}. */
    public boolean hasCode(String code) {
        return getMessage() != null && getMessage().startsWith(code + " ");
    }
}
