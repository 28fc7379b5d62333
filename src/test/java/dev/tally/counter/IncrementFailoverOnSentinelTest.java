package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
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

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.RedisNode;
import dev.tally.testsupport.RedisSentinels;
import dev.tally.testsupport.SentinelRoute;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The Sentinel master dies ({@code kill -9}) under a load of increments, each sent with its own
 * {@code Idempotency-Key} and sent again on a 503, as the README tells clients to. While the sentinels promote a
 * replica, every answer is a 200 or a fast 503 with {@code Retry-After} (never another 5xx, never a hang), service
 * resumes by itself, and the counter ends at exactly the number of acknowledged increments, less what Redis itself
 * lost: asynchronous replication may drop the last writes the dead master acknowledged. The test measures and logs
 * that loss and the time to recover; it asserts that nothing was counted twice.
 */
@QuarkusTest
@TestProfile(SentinelRoute.class)
class IncrementFailoverOnSentinelTest {

    private static final Logger LOG = Logger.getLogger(IncrementFailoverOnSentinelTest.class);
    private static final int CLIENTS = 16;
    private static final int MAX_ATTEMPTS = 40; // with Retry-After of 2 s: a client gives up after 80 s
    // A 503 must come fast: the command timeout (1.5 s) plus a margin for the overloaded test machine.
    private static final Duration LONGEST_ANSWER = Duration.ofSeconds(5);

    @TestHTTPResource("/")
    URI app;

    /** Set by {@link SentinelRoute.Resource}: the test kills its master. */
    RedisSentinels sentinels;

    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final LongAccumulator slowest = new LongAccumulator(Math::max, 0);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong gaveUp = new AtomicLong();
    private final AtomicLong lastFailure = new AtomicLong();
    private final AtomicLong firstSuccessAfterKill = new AtomicLong();

    @Test
    void aKilledMasterIsFailedOverWithFast503sAndNoIncrementCountedTwice() throws Exception {
        String name = Unique.name("failover");
        Http http = Http.at(app);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.submit(() -> {
                for (int n = 0; running.get(); n++) {
                    incrementUntilAnswered(http, name, name + "-" + client + "-" + n, killedAt);
                }
            });
        }
        Pause.of(Duration.ofSeconds(2)); // load before the kill
        RedisNode master = sentinels.master();
        killedAt.set(System.nanoTime());
        master.kill();
        sentinels.awaitPromotionAfter(master, Duration.ofSeconds(30));
        long promoted = System.nanoTime();
        Pause.of(Duration.ofSeconds(3)); // load after the promotion
        running.set(false);
        clients.shutdown();
        assertTrue(clients.awaitTermination(120, TimeUnit.SECONDS), "clients did not finish");

        long finalValue = value(name);
        long lost = acknowledged.get() - finalValue;
        Map<Integer, Long> seen = new TreeMap<>();
        statuses.forEach((status, count) -> seen.put(status, count.get()));
        LOG.infof("Sentinel failover under %d clients: statuses %s, acknowledged %d, final %d, lost writes %d, "
                + "promotion after %d ms, first 200 after the kill at %d ms, last 503 at %d ms, slowest answer %d ms",
                CLIENTS, seen, acknowledged.get(), finalValue, lost, millisSince(killedAt.get(), promoted),
                millisSince(killedAt.get(), firstSuccessAfterKill.get()),
                millisSince(killedAt.get(), lastFailure.get()), slowest.get() / 1_000_000);

        assertEquals(Map.of(), without(seen, 200, 503), "only 200s and 503s");
        assertEquals(0, gaveUp.get(), "every increment was answered 200 within " + MAX_ATTEMPTS + " attempts");
        assertTrue(slowest.get() <= LONGEST_ANSWER.toNanos(), "an answer took " + slowest.get() / 1_000_000 + " ms");
        assertTrue(lost >= 0, "counted twice: final " + finalValue + " above " + acknowledged.get() + " acknowledged");
        assertTrue(firstSuccessAfterKill.get() != 0, "service resumed after the failover");

        master.restart(); // it comes back empty and the sentinels make it a replica of the new master
        sentinels.awaitHealthy(Duration.ofSeconds(30));
    }

    /** One logical increment: sent until it is answered 200, again on a 503 after its Retry-After. */
    private void incrementUntilAnswered(Http http, String name, String key, AtomicLong killedAt) {
        String path = "/api/v1/counters/" + name + "/increment";
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            long started = System.nanoTime();
            HttpResponse<String> reply = http.post(path, "{}", "Idempotency-Key", key);
            long answered = System.nanoTime();
            slowest.accumulate(answered - started);
            statuses.computeIfAbsent(reply.statusCode(), s -> new AtomicLong()).incrementAndGet();
            if (reply.statusCode() == 200) {
                acknowledged.incrementAndGet();
                if (started > killedAt.get()) {
                    firstSuccessAfterKill.compareAndSet(0, answered);
                }
                return;
            }
            if (reply.statusCode() != 503) {
                return; // counted in statuses; the test fails on it
            }
            lastFailure.accumulateAndGet(answered, Math::max);
            String retryAfter = reply.headers().firstValue("Retry-After").orElseThrow(
                    () -> new AssertionError("a 503 without Retry-After: " + reply.body()));
            Pause.of(Duration.ofSeconds(Long.parseLong(retryAfter)));
        }
        gaveUp.incrementAndGet();
    }

    private static long millisSince(long start, long end) {
        return end == 0 ? -1 : (end - start) / 1_000_000;
    }

    private static Map<Integer, Long> without(Map<Integer, Long> statuses, Integer... expected) {
        Map<Integer, Long> others = new TreeMap<>(statuses);
        for (Integer status : expected) {
            others.remove(status);
        }
        return others;
    }
}
