package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Problems;
import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisProvisioner;
import dev.tally.testsupport.ReplicaProcess;

/**
 * Redis dies or hangs under load: replicas answer 503 + Retry-After within their command timeout, never hang, and
 * serve again by themselves when Redis returns, with no restart.
 */
class RedisOutageIT {

    /** The replicas' {@code tally.redis.command-timeout}, set here so that the bound below derives from it. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(1500);
    /**
     * What a client on this machine may see beyond the replica's own timeout: the answer's way back through a
     * 2-core box that a parallel build may load (measured on a quiet one: 10 ms).
     */
    private static final Duration SCHEDULING_SLACK = Duration.ofMillis(1500);
    private static final Duration ANSWER_BUDGET = COMMAND_TIMEOUT.plus(SCHEDULING_SLACK);
    private static RealRedis redis;
    private static ReplicaProcess a;
    private static ReplicaProcess b;
    private final Http http = new Http();
    /** The management port's metrics and /ops routes need the ops token; the app port never gets it. */
    private final Http ops = new Http().withBearer(ReplicaProcess.opsToken());

    /** One request as a client saw it. {@code status} is -1 when no HTTP answer came back. */
    private record Outcome(long startNanos, long endNanos, int status, boolean retryAfter) {

        Duration took() {
            return Duration.ofNanos(endNanos - startNanos);
        }
    }

    @BeforeAll
    static void startStack() {
        redis = RedisProvisioner.controllable();
        String timeout = COMMAND_TIMEOUT.toMillis() + "ms";
        a = ReplicaProcess.start("outage-a", redis.url(), Map.of("TALLY_REDIS_COMMAND_TIMEOUT", timeout));
        // Not the default 2 s: shows that management routes send the configured value, not a number of their own.
        b = ReplicaProcess.start("outage-b", redis.url(),
                Map.of("TALLY_REDIS_COMMAND_TIMEOUT", timeout, "TALLY_REDIS_RETRY_AFTER", "3s"));
    }

    @AfterAll
    static void stopStack() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void redisStoppedAndRestartedUnderLoad() {
        assertOutageHandled(redis::stop, redis::start);
    }

    @Test
    void redisFrozenAndResumedUnderLoad() {
        assertOutageHandled(redis::pause, redis::resume);
    }

    /** The management port's Redis-backed routes answer an outage as the app port does (was: a bare 500). */
    @Test
    void opsRoutesAnswerAnOutageWithA503ProblemAndTheConfiguredRetryAfter() {
        redis.stop();
        try {
            for (String path : List.of("/ops/cluster", "/ops/jobs/dead")) {
                HttpResponse<String> response = ops.get(b.managementUrl(path));
                Problems.assertProblem(response, 503, Problems.tally("store-unavailable"));
                assertEquals("3", response.headers().firstValue("Retry-After").orElse(null), path);
            }
        } finally {
            redis.start();
            a.awaitReady(Duration.ofSeconds(30));
            b.awaitReady(Duration.ofSeconds(30));
        }
    }

    private void assertOutageHandled(Runnable breakRedis, Runnable repairRedis) {
        Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 16; c++) {
                ReplicaProcess target = c % 2 == 0 ? a : b;
                clients.submit(() -> {
                    while (running.get()) {
                        outcomes.add(call(target));
                    }
                });
            }
            Pause.of(Duration.ofSeconds(2));
            long brokenAt = System.nanoTime();
            breakRedis.run();
            long broken = System.nanoTime(); // Redis is gone (or frozen) from here on
            Pause.of(Duration.ofSeconds(4));
            assertFalse(ready(a), "readiness is DOWN while Redis is unavailable");
            long repaired = System.nanoTime();
            repairRedis.run();
            long recovered = awaitRecovery(outcomes, repaired, Duration.ofSeconds(15));
            running.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS), "clients finished");

            List<Outcome> all = List.copyOf(outcomes);
            // Before the outage: the service works. A loaded machine may delay a Redis answer past the timeout,
            // and the design answers that with a 503 and Retry-After too; nothing else is allowed.
            List<Outcome> before = all.stream().filter(o -> o.endNanos() < brokenAt).toList();
            assertTrue(before.stream().allMatch(o -> o.status() == 200 || o.status() == 503 && o.retryAfter()),
                    "only 200s (and 503s with Retry-After) before the outage: " + histogram(before));
            assertTrue(before.stream().filter(o -> o.status() == 200).count() * 2 > before.size(),
                    "mostly 200s before the outage: " + histogram(before));
            List<Outcome> during = all.stream()
                    .filter(o -> o.startNanos() > broken && o.endNanos() < repaired).toList();
            assertFalse(during.isEmpty(), "requests were made during the outage");
            assertTrue(during.stream().allMatch(o -> o.status() == 503 && o.retryAfter()),
                    "every request during the outage got 503 with Retry-After: " + histogram(during));
            Duration slowest = during.stream().map(Outcome::took).max(Duration::compareTo).orElseThrow();
            assertTrue(slowest.compareTo(ANSWER_BUDGET) <= 0, "slowest answer during the outage: " + slowest);
            long firstRefusal = all.stream().filter(o -> o.status() == 503).mapToLong(Outcome::endNanos).min()
                    .orElseThrow();
            assertTrue(firstRefusal - brokenAt <= ANSWER_BUDGET.toNanos(),
                    "first 503 came " + Duration.ofNanos(firstRefusal - brokenAt) + " after the outage began");
            assertTrue(all.stream().noneMatch(o -> o.status() == -1), "every request got an HTTP answer");
            System.out.printf("outage: %d requests during it, slowest %d ms; recovered %d ms after repair%n",
                    during.size(), slowest.toMillis(), Duration.ofNanos(recovered - repaired).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        assertTrue(a.isAlive() && b.isAlive(), "replicas were never restarted");
        assertTrue(ready(a) && ready(b), "readiness is UP again");
    }

    private Outcome call(ReplicaProcess target) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.post(target.url("/api/v1/counters/outage/increment"), null);
            return new Outcome(start, System.nanoTime(), response.statusCode(),
                    response.headers().firstValue("Retry-After").isPresent());
        } catch (RuntimeException noAnswer) {
            return new Outcome(start, System.nanoTime(), -1, false);
        }
    }

    /** Waits until both replicas have answered 200 to a request started after the repair. */
    private long awaitRecovery(Queue<Outcome> outcomes, long repaired, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            long recovered = outcomes.stream().filter(o -> o.startNanos() > repaired && o.status() == 200)
                    .mapToLong(Outcome::endNanos).min().orElse(0);
            if (recovered > 0 && ready(a) && ready(b)) {
                return recovered;
            }
            Pause.of(Duration.ofMillis(100));
        }
        throw new AssertionError("no recovery within " + limit + " after Redis returned");
    }

    private boolean ready(ReplicaProcess replica) {
        return http.get(replica.managementUrl("/q/health/ready")).statusCode() == 200;
    }

    private static String histogram(List<Outcome> outcomes) {
        return outcomes.stream().collect(java.util.stream.Collectors.groupingBy(Outcome::status,
                java.util.stream.Collectors.counting())).toString();
    }

}
