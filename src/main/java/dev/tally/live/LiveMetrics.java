package dev.tally.live;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the live feeds do, for Prometheus: open sockets (also the number the socket cap counts), messages written,
 * messages replaced by a newer value before they could be written (coalesced), and sockets holding such a waiting
 * message, which can never exceed the open sockets because each socket has one slot, not a queue.
 */
@Singleton
public class LiveMetrics {

    private final AtomicInteger openSockets = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Counter sent;
    private final Counter coalesced;
    private final Counter resubscribed;

    public LiveMetrics(MeterRegistry metrics) {
        Gauge.builder("tally.live.sockets.open", openSockets, AtomicInteger::get)
                .description("Live counter sockets open on this replica").register(metrics);
        Gauge.builder("tally.live.messages.waiting", waiting, AtomicInteger::get)
                .description("Sockets holding one message that waits for the previous write (at most one each)")
                .register(metrics);
        this.sent = Counter.builder("tally.live.messages.sent")
                .description("Live messages written to sockets").register(metrics);
        this.coalesced = Counter.builder("tally.live.messages.coalesced")
                .description("Live messages replaced by a newer value before a slow socket could take them")
                .register(metrics);
        this.resubscribed = Counter.builder("tally.live.redis.subscribed")
                .description("Times the Redis change subscription was (re)established").register(metrics);
    }

    /** Takes a socket slot unless {@code max} are open; the caller must {@link #socketClosed()} after a true. */
    boolean trySocketOpened(int max) {
        if (openSockets.incrementAndGet() > max) {
            openSockets.decrementAndGet();
            return false;
        }
        return true;
    }

    void socketClosed() {
        openSockets.decrementAndGet();
    }

    int openSockets() {
        return openSockets.get();
    }

    void sent() {
        sent.increment();
    }

    void coalesced() {
        coalesced.increment();
    }

    void waitingChanged(int delta) {
        waiting.addAndGet(delta);
    }

    void subscribed() {
        resubscribed.increment();
    }
}
