package dev.tally.redis;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;

/**
 * The Vert.x Redis client logs {@code Unhandled Error: io.netty.channel.StacklessClosedChannelException} (or
 * {@code java.net.SocketException: Connection reset}), at ERROR with a stack, for every command written to a
 * connection whose node has just died: dozens of them in the first second of a failover, which read like a bug and
 * bury what matters. Those commands fail, and Tally answers
 * them 503 ({@link RedisGateway}); the news is only that a node went away. So this filter on the client's logger
 * turns the first of them into one WARN line that says so, and drops the others for {@link #QUIET_SECONDS}
 * seconds; every other record of that logger passes unchanged.
 */
@Startup
@Singleton
public class ClosedConnectionLog implements Filter {

    /** The driver's logger for connection errors. */
    public static final String CATEGORY = "io.vertx.redis.client.impl.RedisConnectionManager";
    /** The line logged once per episode, followed by the first exception's class and message in brackets. */
    public static final String MESSAGE = "A Redis connection closed under its commands (its node died, or failed "
            + "over): they fail and are answered 503. Closed connections are not logged again for "
            + ClosedConnectionLog.QUIET_SECONDS + " s";
    static final long QUIET_SECONDS = 10;

    private static final long NEVER = Long.MIN_VALUE;

    private final Logger logger = Logger.getLogger(CATEGORY);
    private final AtomicLong lastLogged = new AtomicLong(NEVER);

    public ClosedConnectionLog() {
        logger.setFilter(this);
    }

    @PreDestroy
    void remove() {
        logger.setFilter(null);
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!(record.getThrown() instanceof IOException broken)) {
            return true;
        }
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (last != NEVER && now - last < TimeUnit.SECONDS.toNanos(QUIET_SECONDS)) {
            return false;
        }
        if (!lastLogged.compareAndSet(last, now)) {
            return false; // another thread logs this episode
        }
        record.setLevel(Level.WARNING);
        record.setMessage(MESSAGE + " (" + broken + ")");
        record.setParameters(null);
        record.setThrown(null);
        return true;
    }
}
