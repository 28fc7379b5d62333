package dev.tally.redis;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import io.smallrye.common.vertx.VertxContext;
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
        Context context = requestContext();
        if (context != null) {
            context.putLocal(CONTEXT_KEY, time);
        }
        return time;
    }

    /** The account of the request the caller runs for, or null. */
    static RedisTime current() {
        Context context = requestContext();
        return context == null ? null : context.getLocal(CONTEXT_KEY);
    }

    /**
     * The current duplicated context, or null. Quarkus forbids context locals on a root (event-loop) context and
     * throws; code that runs there, such as the live feeds' subscription and the cluster view's publisher, is not
     * a request and records nothing.
     */
    private static Context requestContext() {
        Context context = Vertx.currentContext();
        return context != null && VertxContext.isDuplicatedContext(context) ? context : null;
    }

    void add(long elapsedNanos) {
        nanos.add(elapsedNanos);
    }

    public Duration total() {
        return Duration.ofNanos(nanos.sum());
    }
}
