package dev.tally.web;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tally.redis.RedisTime;
import dev.tally.runtime.TimeoutSlots;

/**
 * One request from the moment the app router sees it until its response is written: who asked what, how old it
 * is, which thread serves it now, and how long it has spent waiting for Redis.
 */
public final class InFlightRequest {

    private final String method;
    private final String path;
    private final String requestId;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final RedisTime redisTime = RedisTime.startForCurrentRequest();
    private final TimeoutSlots timeouts = TimeoutSlots.startForCurrentRequest();
    private final AtomicBoolean reportedStuck = new AtomicBoolean();
    private volatile Thread servingThread;

    InFlightRequest(String method, String path, String requestId, Thread acceptingThread) {
        this.method = method;
        this.path = path;
        this.requestId = requestId;
        this.servingThread = acceptingThread;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    public String requestId() {
        return requestId;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    public Thread servingThread() {
        return servingThread;
    }

    public ThreadKind threadKind() {
        return ThreadKind.of(servingThread);
    }

    /** The resource method starts on {@code thread}; returns how long the request waited for it. */
    Duration dispatchedTo(Thread thread) {
        servingThread = thread;
        return age();
    }

    /** Time spent waiting for Redis so far (pool wait included). */
    public Duration redisTime() {
        return redisTime.total();
    }

    /** This request's pending timeouts, which the registry's sweep fires ({@link InFlightRequests}). */
    TimeoutSlots timeouts() {
        return timeouts;
    }

    /** True exactly once: the first time the watchdog (ops/StuckRequestWatchdog) finds this request stuck. */
    public boolean markStuck() {
        return reportedStuck.compareAndSet(false, true);
    }
}
