package dev.tally.work;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.faulttolerance.Bulkhead;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * The stand-in for CPU-heavy work (rendering, compression, crypto): iterated SHA-256. It runs on
 * {@link CpuPool}, never on the event loop or a virtual thread (a busy virtual thread pins its carrier). The
 * bulkhead admits as many as the configured bound and lets a short, bounded queue wait; past that, 503 at once.
 */
@Singleton
public class CpuWork {

    private final CpuPool pool;
    private final AtomicInteger running = new AtomicInteger();

    public CpuWork(CpuPool pool, MeterRegistry metrics) {
        this.pool = pool;
        Gauge.builder("tally.work.cpu.in.flight", running, AtomicInteger::get)
                .description("CPU work calls computing now").register(metrics);
    }

    // value and waiting-task-queue: quarkus.fault-tolerance."dev.tally.work.CpuWork/digest".bulkhead.*
    @Bulkhead
    @AsynchronousNonBlocking
    public Uni<String> digest(int iterations, Cancellation cancellation) {
        return Uni.createFrom().emitter(emitter -> {
            Future<?> task = pool.executor().submit(() -> {
                running.incrementAndGet();
                try {
                    emitter.complete(iterate(iterations));
                } catch (InterruptedException stopped) {
                    // cancelled: nobody waits for the result any more
                } finally {
                    running.decrementAndGet();
                }
            });
            // A cancelled request (deadline passed, client gone) interrupts the computation, which checks for it,
            // and ends this Uni at once, so that the bulkhead gets its slot back even if the task never started.
            cancellation.onCancel(() -> {
                task.cancel(true);
                emitter.fail(new CancellationException("digest cancelled"));
            });
            emitter.onTermination(() -> task.cancel(true));
        });
    }

    private static String iterate(int iterations) throws InterruptedException {
        MessageDigest sha256 = sha256();
        byte[] state = ByteBuffer.allocate(Integer.BYTES).putInt(iterations).array();
        for (int i = 0; i < iterations; i++) {
            if ((i & 0x3FF) == 0 && Thread.interrupted()) {
                throw new InterruptedException("digest cancelled after " + i + " rounds");
            }
            state = sha256.digest(state);
        }
        return HexFormat.of().formatHex(state);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
