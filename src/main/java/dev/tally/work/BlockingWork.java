package dev.tally.work;

import java.time.Duration;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.faulttolerance.Bulkhead;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The stand-in for a slow downstream call (a JDBC query, a legacy SOAP client, a file on NFS): it blocks its
 * thread. Called on a virtual thread, blocking costs a few hundred bytes of heap instead of a platform thread.
 * Replace the body with your own blocking code; keep the bulkhead, which bounds how many run at once (past it a
 * caller is refused at once with 503, never queued without bound).
 */
@Singleton
public class BlockingWork {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter completed;

    public BlockingWork(MeterRegistry metrics) {
        Gauge.builder("tally.work.blocking.in.flight", inFlight, AtomicInteger::get)
                .description("Blocking work calls running now").register(metrics);
        this.completed = Counter.builder("tally.work.blocking.completed")
                .description("Blocking work calls that ran to the end (not stopped by a deadline or a disconnect)")
                .register(metrics);
    }

    @Bulkhead // value: quarkus.fault-tolerance."dev.tally.work.BlockingWork/block".bulkhead.value
    public Duration block(Duration duration) throws InterruptedException {
        long started = System.nanoTime();
        inFlight.incrementAndGet();
        try {
            Thread.sleep(duration); // interruptible: a passed deadline or a gone client stops it here
            completed.increment();
            return Duration.ofNanos(System.nanoTime() - started);
        } finally {
            inFlight.decrementAndGet();
        }
    }
}
