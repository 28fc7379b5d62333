package dev.tally.job;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Platform threads for CPU-kind handlers ({@code tally.job.worker.cpu-threads}, default one per core). Separate
 * from {@code work/CpuPool}, so that job load and {@code /work/cpu} do not shed each other.
 */
final class JobCpuPool {

    private final ExecutorService threads;

    JobCpuPool(int configuredThreads) {
        int size = configuredThreads > 0 ? configuredThreads : Runtime.getRuntime().availableProcessors();
        this.threads = Executors.newFixedThreadPool(size,
                Thread.ofPlatform().name("tally-job-cpu-", 1).daemon().factory());
    }

    /** Runs {@code task} on the pool and waits for it; the task's own exception comes out unwrapped. */
    <T> T run(Callable<T> task) throws Exception {
        try {
            return threads.submit(task).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception exception) {
                throw exception;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    void shutdownNow() {
        threads.shutdownNow();
    }
}
