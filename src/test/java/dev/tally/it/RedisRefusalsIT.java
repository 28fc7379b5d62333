package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.BinaryRedis;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Problems;
import dev.tally.testsupport.ReplicaProcess;
import dev.tally.testsupport.Unique;

/**
 * A healthy Redis that says "not now" (full, loading its dataset, demoted to a replica, busy with a script): every
 * write answers 503 {@code store-unavailable} with the configured {@code Retry-After}, the refusal is counted by
 * kind, background work logs the episode once, and the replica serves again by itself once Redis does, with no
 * restart. Each test has a Redis (and a replica) of its own, so that no fault leaks into another test.
 */
class RedisRefusalsIT {

    /** {@code tally.redis.retry-after} of the replicas here: not the default, so the header proves the setting. */
    private static final String RETRY_AFTER_SECONDS = "4";
    /** Long enough for a replica on a loaded 2-core machine to see a change of Redis' state. */
    private static final Duration SETTLE = Duration.ofSeconds(15);
    private static final String STORE_UNAVAILABLE = Problems.tally("store-unavailable");
    /**
     * The replicas' management token ({@code TALLY_OPS_TOKEN}, which guards {@code /q/metrics} where it is known),
     * made at test time: 32 random bytes as hex, as the launcher makes one.
     */
    private static final String OPS_TOKEN = randomHex(32);

    private final Http http = new Http();

    @Test
    void aFullRedisRefusesEveryWriteWith503UntilItsLimitIsRaised() {
        try (BinaryRedis redis = BinaryRedis.dedicated(); ReplicaProcess replica = replicaOn(redis, "oom")) {
            assertEquals("OK", redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction"));
            assertEveryWrite(replica, 2);
            String counter = Unique.name("full");
            assertStatus(200, increment(replica, counter));

            assertEquals("OK", redis.command("CONFIG", "SET", "maxmemory", "8mb"));
            int filled = fill(redis);
            assertTrue(Long.parseLong(redis.command("DBSIZE")) > filled, "noeviction: nothing was evicted");
            // Right at its bound, a Redis lets small writes through whenever a buffer is freed; below what it holds
            // (as after the dataset grew, or the bound was lowered) it refuses every one: the state to test.
            assertEquals("OK", redis.command("CONFIG", "SET", "maxmemory", "4mb"));

            assertEveryWrite(replica, 5);
            assertStatus(200, http.get(replica.url("/api/v1/counters/" + counter))); // reads still work (the quota fails open: auth/Quota)
            assertEquals(200, ready(replica), "a full Redis still answers: the replica stays ready");
            // The cluster snapshot publisher fails every second meanwhile; its warning comes once per episode.
            double ours = refusals(replica, "oom");
            assertTrue(ours >= 4, "the four refused writes are counted: " + ours);
            awaitRefusals(replica, "oom", ours + 3);
            assertEquals(1, logLines(replica, "Cluster snapshot publication failed"),
                    "one warning for the whole episode, not one per attempt");

            assertEquals("OK", redis.command("CONFIG", "SET", "maxmemory", "0"));
            awaitStatus(200, () -> increment(replica, counter));
            assertEveryWrite(replica, 2);
            awaitLogLine(replica, "Cluster snapshot publication works again");
            assertTrue(replica.isAlive(), "recovered without a restart");
            System.out.printf("oom: filled with %d values; %s refusals counted%n", filled, refusals(replica, "oom"));
        }
    }

    @Test
    void aRedisLoadingItsDatasetAnswers503UntilTheDatasetIsIn() {
        try (BinaryRedis redis = BinaryRedis.dedicated(); ReplicaProcess replica = replicaOn(redis, "loading")) {
            String counter = Unique.name("loading");
            assertStatus(200, increment(replica, counter));
            HttpResponse<String> job = http.post(replica.url("/api/v1/jobs"), "{\"type\":\"noop\",\"payload\":{}}");
            assertStatus(202, job);
            String jobPath = URI.create(job.headers().firstValue("Location").orElseThrow()).getPath();
            // While Redis loads, reads fail as writes do: a counter, the listing, a job, its cancellation.
            List<Supplier<HttpResponse<String>>> others = List.of(
                    () -> http.get(replica.url("/api/v1/counters/" + counter)),
                    () -> http.get(replica.url("/api/v1/counters?prefix=loading")),
                    () -> http.get(replica.url(jobPath)),
                    () -> http.delete(replica.url(jobPath)));
            // A dataset that takes seconds to load: 30,000 small keys, each slowed by 50 µs, with Redis answering
            // its clients (LOADING) after every KiB read.
            assertEquals("1", redis.command("EVAL",
                    "for i = 1, 30000 do redis.call('SET', 'filler:' .. i, 'x') end return 1", "0"));
            assertEquals("OK", redis.command("SAVE"));
            redis.restart("--key-load-delay", "50", "--loading-process-events-interval-bytes", "1024");

            int judged = 0;
            boolean readinessSeenDown = false;
            LiveSocket live = null;
            try {
                while (loading(redis)) {
                    List<HttpResponse<String>> responses = new ArrayList<>();
                    responses.add(increment(replica, counter));
                    responses.add(others.get(judged % others.size()).get());
                    int readiness = ready(replica);
                    if (live == null) {
                        // Opened during the load: its first value can only come once Redis answers again.
                        live = LiveSocket.open(replica.url("/api/v1/counters/" + counter + "/live")
                                .replaceFirst("^http", "ws"), counter, null);
                    }
                    if (!loading(redis)) {
                        break; // the load may have ended during these requests: nothing to judge
                    }
                    responses.forEach(RedisRefusalsIT::assertStoreUnavailable);
                    readinessSeenDown |= readiness == 503;
                    judged++;
                }
                assertTrue(judged > 0, "requests were answered while Redis was loading");
                assertTrue(readinessSeenDown, "readiness is DOWN while Redis loads");
                awaitStatus(200, () -> increment(replica, counter));
                HttpResponse<String> read = http.get(replica.url("/api/v1/counters/" + counter));
                assertStatus(200, read);
                long value = Long.parseLong(read.body().replaceAll(".*\"value\":(-?\\d+).*", "$1"));
                assertTrue(value >= 2, "the dataset came back with the counter: " + read.body());
                live.awaitLast(value, SETTLE); // the feed opened during the load got its first value
                // (the cancellation may find the job done by now: a 409, the answer of a working store)
                others.forEach(route -> assertTrue(route.get().statusCode() < 500, "these routes work again"));
            } finally {
                if (live != null) {
                    live.close();
                }
            }
            assertTrue(refusals(replica, "loading") >= 1, "LOADING refusals are counted");
            assertEveryWrite(replica, 2);
            assertTrue(replica.isAlive(), "recovered without a restart");
            System.out.printf("loading: %d requests answered 503 during the load%n", judged);
        }
    }

    @Test
    void aRedisDemotedToAReplicaRefusesWritesWith503UntilPromotedAgain() {
        try (BinaryRedis redis = BinaryRedis.dedicated(); BinaryRedis newMaster = BinaryRedis.dedicated();
                ReplicaProcess replica = replicaOn(redis, "readonly")) {
            String counter = Unique.name("demoted");
            assertEveryWrite(replica, 2);

            assertEquals("OK", redis.command("REPLICAOF", "127.0.0.1", Integer.toString(newMaster.port())));
            awaitStatus(503, () -> increment(replica, counter));
            awaitRefusals(replica, "readonly", 1);
            assertEveryWrite(replica, 5);
            assertStatus(200, http.get(replica.url("/api/v1/counters/" + counter))); // a replica serves reads (the quota fails open)
            assertEquals(200, ready(replica), "a read-only Redis still answers: the replica stays ready");

            assertEquals("OK", redis.command("REPLICAOF", "NO", "ONE"));
            awaitStatus(200, () -> increment(replica, counter));
            assertEveryWrite(replica, 2);
            assertTrue(replica.isAlive(), "recovered without a restart");
        }
    }

    @Test
    void aRedisBusyWithALongScriptAnswers503UntilTheScriptEnds() throws InterruptedException {
        try (BinaryRedis redis = BinaryRedis.dedicated(); ReplicaProcess replica = replicaOn(redis, "busy")) {
            String counter = Unique.name("busy");
            assertEveryWrite(replica, 2);
            assertEquals("OK", redis.command("CONFIG", "SET", "busy-reply-threshold", "100"));

            // A read-only script that spins for 4 s of Redis' own clock; other clients get BUSY after 100 ms.
            List<String> scriptReply = new ArrayList<>();
            Thread script = Thread.ofVirtual().start(() -> scriptReply.add(redis.command("EVAL",
                    "local stop = tonumber(redis.call('TIME')[1]) + 4 "
                            + "while tonumber(redis.call('TIME')[1]) < stop do end return 1", "0")));
            awaitStatus(503, () -> increment(replica, counter));
            awaitRefusals(replica, "busy", 1);
            assertStoreUnavailable(increment(replica, counter));
            assertEquals(503, ready(replica), "a busy Redis answers nothing: the replica is not ready");

            script.join(Duration.ofSeconds(15));
            assertEquals(List.of("1"), scriptReply, "the script ran to its end");
            awaitStatus(200, () -> increment(replica, counter));
            assertEveryWrite(replica, 2);
            assertTrue(replica.isAlive(), "recovered without a restart");
        }
    }

    private ReplicaProcess replicaOn(BinaryRedis redis, String fault) {
        return ReplicaProcess.start("refusal-" + fault + "-" + UUID.randomUUID().toString().substring(0, 8),
                redis.url(), Map.of("TALLY_REDIS_RETRY_AFTER", RETRY_AFTER_SECONDS + "s", "TALLY_OPS_TOKEN", OPS_TOKEN));
    }

    /**
     * Every kind of write Tally makes for a client (an increment, an idempotent increment, a session, a job)
     * answers {@code status}: 2 for success (200, 201 or 202), 5 for a 503 {@code store-unavailable} problem.
     */
    private void assertEveryWrite(ReplicaProcess replica, int statusClass) {
        String counter = Unique.name("write");
        Map<String, Supplier<HttpResponse<String>>> writes = new LinkedHashMap<>();
        writes.put("increment", () -> increment(replica, counter));
        writes.put("idempotent increment", () -> http.post(replica.url("/api/v1/counters/" + counter + "/increment"),
                "{\"by\":2}", "Idempotency-Key", UUID.randomUUID().toString()));
        writes.put("session create", () -> http.post(replica.url("/api/v1/sessions"), null));
        writes.put("job submit", () -> http.post(replica.url("/api/v1/jobs"), "{\"type\":\"noop\",\"payload\":{}}"));
        writes.forEach((name, write) -> {
            HttpResponse<String> response = write.get();
            if (statusClass == 5) {
                assertStoreUnavailable(response);
            } else {
                assertEquals(2, response.statusCode() / 100, name + ": " + response.statusCode() + " " + response.body());
            }
        });
    }

    private static void assertStoreUnavailable(HttpResponse<String> response) {
        Problems.assertProblem(response, 503, STORE_UNAVAILABLE);
        assertEquals(RETRY_AFTER_SECONDS, response.headers().firstValue("Retry-After").orElse(null), "Retry-After");
    }

    private static void assertStatus(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
    }

    /** Polls until a request answers {@code status}; a 503 must be the store-unavailable problem. */
    private static void awaitStatus(int status, Supplier<HttpResponse<String>> request) {
        List<HttpResponse<String>> last = new ArrayList<>(List.of());
        await(() -> "a " + status + "; last: " + last, () -> {
            HttpResponse<String> response = request.get();
            last.clear();
            last.add(response);
            return response.statusCode() == status;
        });
        if (status == 503) {
            assertStoreUnavailable(last.get(0));
        }
    }

    /** Polls {@code condition} every 100 ms; fails after {@link #SETTLE}, saying what did not come. */
    private static void await(Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "no " + what.get() + " within " + SETTLE);
            Pause.of(Duration.ofMillis(100));
        }
    }

    private HttpResponse<String> increment(ReplicaProcess replica, String counter) {
        return http.post(replica.url("/api/v1/counters/" + counter + "/increment"), null);
    }

    private int ready(ReplicaProcess replica) {
        return http.get(replica.managementUrl("/q/health/ready")).statusCode();
    }

    /** Writes 64 KiB values until Redis refuses with OOM; returns how many it took. */
    private static int fill(BinaryRedis redis) {
        String value = "x".repeat(64 * 1024);
        for (int i = 0; i < 1_000; i++) {
            String reply = redis.command("SET", "filler:" + i, value);
            if (reply.startsWith("-OOM")) {
                return i;
            }
            assertEquals("OK", reply);
        }
        throw new AssertionError("Redis took 64 MiB under an 8 MiB maxmemory");
    }

    private static boolean loading(BinaryRedis redis) {
        return redis.command("INFO", "persistence").contains("loading:1");
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** {@code tally_redis_refusals_total{kind}} as the replica's Prometheus endpoint shows it. */
    private double refusals(ReplicaProcess replica, String kind) {
        String series = "tally_redis_refusals_total{kind=\"" + kind + "\"} ";
        HttpResponse<String> metrics = http.get(replica.managementUrl("/q/metrics"),
                "Authorization", "Bearer " + OPS_TOKEN);
        assertStatus(200, metrics);
        return metrics.body().lines().filter(line -> line.startsWith(series))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length()))).sum();
    }

    private void awaitRefusals(ReplicaProcess replica, String kind, double minimum) {
        await(() -> minimum + " " + kind + " refusals", () -> refusals(replica, kind) >= minimum);
    }

    private static long logLines(ReplicaProcess replica, String text) {
        try (var lines = Files.lines(replica.log())) {
            return lines.filter(line -> line.contains(text)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitLogLine(ReplicaProcess replica, String text) {
        await(() -> "log line '" + text + "'", () -> logLines(replica, text) > 0);
    }
}
