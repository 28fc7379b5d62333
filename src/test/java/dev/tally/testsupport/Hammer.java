package dev.tally.testsupport;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * Drives a fixed number of requests through a fixed number of concurrent clients (virtual threads), all released
 * at once, and tallies what came back. Bounded in count and in time: it never runs on by itself.
 */
public final class Hammer {

    /** What came back: status code → count, plus requests that got no HTTP answer at all. */
    public record Result(Map<Integer, Long> statuses, long noAnswer, Duration elapsed) {

        public long count(int status) {
            return statuses.getOrDefault(status, 0L);
        }

        public long total() {
            return statuses.values().stream().mapToLong(Long::longValue).sum() + noAnswer;
        }
    }

    private Hammer() {
    }

    /** Sends {@code requests} requests (request i built by {@code send.apply(i)}) from {@code clients} clients. */
    public static Result run(int requests, int clients, Duration limit, IntFunction<HttpResponse<?>> send) {
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        AtomicLong noAnswer = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        long started;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    gate.await();
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        try {
                            int status = send.apply(i).statusCode();
                            statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                        } catch (RuntimeException e) {
                            noAnswer.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            started = System.nanoTime();
            gate.countDown();
            pool.shutdown();
            if (!pool.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
                throw new AssertionError("load did not finish within " + limit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Map<Integer, Long> counts = new TreeMap<>();
        statuses.forEach((status, count) -> counts.put(status, count.sum()));
        return new Result(counts, noAnswer.get(), Duration.ofNanos(System.nanoTime() - started));
    }
}
