package dev.tally.work;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Bulkhead;

/**
 * The stand-in for a slow downstream call (a JDBC query, a legacy SOAP client, a file on NFS): it blocks its
 * thread. Called on a virtual thread, blocking costs a few hundred bytes of heap instead of a platform thread.
 * Replace the body with your own blocking code; keep the bulkhead, which bounds how many run at once (past it a
 * caller is refused at once with 503, never queued without bound).
 */
@ApplicationScoped
public class BlockingWork {

    @Bulkhead // value: quarkus.fault-tolerance."dev.tally.work.BlockingWork/block".bulkhead.value
    public Duration block(Duration duration) throws InterruptedException {
        long started = System.nanoTime();
        Thread.sleep(duration);
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
