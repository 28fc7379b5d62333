package dev.tally.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

/**
 * Increments of one counter from several clients that behave as the README tells them to, while a test breaks
 * Redis (a failover): each increment carries its own {@code Idempotency-Key} and is sent again after its
 * {@code Retry-After} on a 503, until it is answered 200 (bounded). It records every answer's status and time, how
 * many increments were acknowledged, and when the first 200 came after the fault, so the test can hold the service
 * to "only 200s and fast 503s, recovered by itself, nothing counted twice" and measure what Redis lost.
 */
public final class FailoverLoad {

    private static final Logger LOG = Logger.getLogger(FailoverLoad.class);
    private static final int MAX_ATTEMPTS = 40; // with a Retry-After of 2 s: an increment is given up after 80 s

    private final Http http;
    private final String path;
    private final String counter;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final LongAccumulator slowest = new LongAccumulator(Math::max, 0);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong gaveUp = new AtomicLong();
    private final AtomicLong faultAt = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastFailure = new AtomicLong();
    private final AtomicLong firstSuccessAfterFault = new AtomicLong();

    private FailoverLoad(Http http, String counter) {
        this.http = http;
        this.counter = counter;
        this.path = "/api/v1/counters/" + counter + "/increment";
    }

    public static FailoverLoad start(Http http, String counter, int clientCount) {
        FailoverLoad load = new FailoverLoad(http, counter);
        for (int c = 0; c < clientCount; c++) {
            String client = counter + "-" + c;
            load.clients.submit(() -> {
                for (int n = 0; load.running.get(); n++) {
                    load.incrementUntilAnswered(client + "-" + n);
                }
            });
        }
        return load;
    }

    /** Now is when the fault happens: recovery is measured from here. */
    public void fault() {
        faultAt.set(System.nanoTime());
    }

    private void incrementUntilAnswered(String key) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            long started = System.nanoTime();
            HttpResponse<String> reply = http.post(path, "{}", "Idempotency-Key", key);
            long answered = System.nanoTime();
            slowest.accumulate(answered - started);
            statuses.computeIfAbsent(reply.statusCode(), s -> new AtomicLong()).incrementAndGet();
            if (reply.statusCode() == 200) {
                acknowledged.incrementAndGet();
                if (started > faultAt.get()) {
                    firstSuccessAfterFault.compareAndSet(0, answered);
                }
                return;
            }
            if (reply.statusCode() != 503) {
                return; // counted in statuses, where the check fails on it
            }
            lastFailure.accumulateAndGet(answered, Math::max);
            String retryAfter = reply.headers().firstValue("Retry-After").orElseThrow(
                    () -> new AssertionError("a 503 without Retry-After: " + reply.body()));
            Pause.of(Duration.ofSeconds(Long.parseLong(retryAfter)));
        }
        gaveUp.incrementAndGet();
    }

    /**
     * Stops the clients (each finishes the increment it is sending), then checks what the service promises through
     * a failover: only 200s and 503s, no answer slower than {@code longestAnswer}, every increment acknowledged in
     * the end, service back after the fault, and {@code finalValue} (the counter read now) never above the
     * acknowledged count. Returns the writes Redis lost (acknowledged, then gone with the dead master), and logs it
     * with the times measured.
     */
    public long stopAndCheck(String topology, long promotedAt, Duration longestAnswer,
            LongSupplier finalValue) {
        running.set(false);
        clients.shutdown();
        try {
            assertTrue(clients.awaitTermination(120, TimeUnit.SECONDS), "load clients did not finish");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        long value = finalValue.getAsLong();
        long lost = acknowledged.get() - value;
        Map<Integer, Long> seen = new TreeMap<>();
        statuses.forEach((status, count) -> seen.put(status, count.get()));
        LOG.infof("%s failover, counter %s: statuses %s, acknowledged %d, final %d, lost writes %d, promotion after "
                + "%d ms, first 200 after the kill at %d ms, last 503 at %d ms, slowest answer %d ms", topology,
                counter, seen, acknowledged.get(), value, lost, sinceFault(promotedAt),
                sinceFault(firstSuccessAfterFault.get()), sinceFault(lastFailure.get()), slowest.get() / 1_000_000);

        Map<Integer, Long> others = new TreeMap<>(seen);
        others.remove(200);
        others.remove(503);
        assertEquals(Map.of(), others, "only 200s and 503s");
        assertEquals(0, gaveUp.get(), "every increment was answered 200 within " + MAX_ATTEMPTS + " attempts");
        assertTrue(slowest.get() <= longestAnswer.toNanos(), "an answer took " + slowest.get() / 1_000_000 + " ms");
        assertTrue(lost >= 0, "counted twice: final " + value + " above " + acknowledged.get() + " acknowledged");
        assertTrue(firstSuccessAfterFault.get() != 0, "service resumed after the failover");
        return lost;
    }

    private long sinceFault(long at) {
        return at == 0 ? -1 : (at - faultAt.get()) / 1_000_000;
    }
}
