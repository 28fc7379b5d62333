package dev.tally.redis;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Time one request spends waiting for Redis (connection-pool wait included), for its {@code Server-Timing} header
 * and access-log line. It rides in the request's Vert.x (duplicated) context, where {@link RedisGateway} finds it
 * without every store passing it along; code outside a request simply records nothing.
 */
public final class RedisTime {

    private static final String CONTEXT_KEY = RedisTime.class.getName();

    private final LongAdder nanos = new LongAdder();

    private RedisTime() {
    }

    /** A fresh account for the request whose context the caller runs in (a detached one outside any context). */
    public static RedisTime startForCurrentRequest() {
        RedisTime time = new RedisTime();
        Context context = Vertx.currentContext();
        if (context != null) {
            context.putLocal(CONTEXT_KEY, time);
        }
        return time;
    }

    /** The account of the request the caller runs for, or null. */
    static RedisTime current() {
        Context context = Vertx.currentContext();
        return context == null ? null : context.getLocal(CONTEXT_KEY);
    }

    void add(long elapsedNanos) {
        nanos.add(elapsedNanos);
    }

    public Duration total() {
        return Duration.ofNanos(nanos.sum());
    }
}
