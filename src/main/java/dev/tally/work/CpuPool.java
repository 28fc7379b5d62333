package dev.tally.work;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

/**
 * Platform threads for CPU-bound work, one per core: more would only time-slice the same cores and add latency.
 * Admission is bounded before work gets here (the bulkhead in {@link CpuWork}), so this pool's queue stays short.
 */
@Singleton
public class CpuPool {

    private final int size = Runtime.getRuntime().availableProcessors();
    private final ExecutorService executor = Executors.newFixedThreadPool(size, named());

    public ExecutorService executor() {
        return executor;
    }

    public int size() {
        return size;
    }

    @PreDestroy
    void shutdown() {
        executor.shutdownNow();
    }

    private static ThreadFactory named() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "tally-cpu-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
