package dev.tally.redis;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import dev.tally.runtime.RequestLocal;

/**
 * Time one request spends waiting for Redis (connection-pool wait included), for its {@code Server-Timing} header
 * and access-log line. It rides in the request's Vert.x (duplicated) context, where {@link RedisGateway} finds it
 * without every store passing it along; code outside a request simply records nothing.
 */
public final class RedisTime {

    private static final RequestLocal<RedisTime> CURRENT = new RequestLocal<>(RedisTime.class);

    private final LongAdder nanos = new LongAdder();

    private RedisTime() {
    }

    /** A fresh account for the request whose context the caller runs in (a detached one outside any context). */
    public static RedisTime startForCurrentRequest() {
        RedisTime time = new RedisTime();
        CURRENT.bind(time);
        return time;
    }

    /** The account of the request the caller runs for, or null (outside a request: nothing is recorded). */
    static RedisTime current() {
        return CURRENT.current();
    }

    void add(long elapsedNanos) {
        nanos.add(elapsedNanos);
    }

    public Duration total() {
        return Duration.ofNanos(nanos.sum());
    }
}
