package dev.tally.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Runs {@code calls} calls from {@code clients} virtual threads that all wait at one start gate, so the calls
 * really overlap. Bounded in count and time; any failure of a call fails the test with the first cause.
 */
public final class Concurrently {

    private Concurrently() {
    }

    /** Result {@code i} is what call {@code i} returned. */
    public static <T> List<T> run(int calls, int clients, Duration limit, IntFunction<T> call) {
        Object[] results = new Object[calls];
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    ready.countDown();
                    try {
                        gate.await();
                        for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                            results[i] = call.apply(i);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
            }
            if (!ready.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("clients did not start within " + limit);
            }
            gate.countDown();
            pool.shutdown();
            if (!pool.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("calls did not finish within " + limit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " call(s) failed", failures.peek());
        }
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) new ArrayList<>(Arrays.asList(results));
        return list;
    }
}
