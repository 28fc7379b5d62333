package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Hammer;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisProvisioner;
import dev.tally.testsupport.ReplicaProcess;
import dev.tally.testsupport.RetryingClient;

/**
 * Jobs across real processes: an api replica that accepts jobs, worker replicas that run them, another api replica
 * that reads them, one real Redis. Workers are killed with SIGKILL and stopped with SIGTERM mid-job.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobsIT {

    private static final int CONCURRENCY = 8;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RealRedis redis;
    private static Map<String, String> common;
    private static ReplicaProcess api;
    private static ReplicaProcess reader;
    private static final List<ReplicaProcess> workers = new ArrayList<>();
    private final Http http = new Http();
    /** The management port's metrics and /ops routes need the ops token; the app port never gets it. */
    private final Http ops = new Http().withBearer(ReplicaProcess.opsToken());

    @BeforeAll
    static void startStack() {
        redis = RedisProvisioner.provide();
        common = Map.of(
                // Isolated from every other test using this Redis.
                "TALLY_REDIS_KEY_PREFIX", "it-jobs-" + UUID.randomUUID().toString().substring(0, 8) + ":",
                "TALLY_JOB_MAX_ATTEMPTS", "3",
                "TALLY_JOB_RETRY_INITIAL_BACKOFF", "200ms",
                "TALLY_JOB_WORKER_CONCURRENCY", Integer.toString(CONCURRENCY),
                "TALLY_JOB_WORKER_VISIBILITY_TIMEOUT", "3s",
                "TALLY_JOB_WORKER_DRAIN_TIMEOUT", "2s",
                "TALLY_JOB_STATS_INTERVAL", "300ms",
                "QUARKUS_SHUTDOWN_DELAY", "1s");
        api = ReplicaProcess.start("jobs-api", redis.url(), role("api"));
        reader = ReplicaProcess.start("jobs-reader", redis.url(), role("api"));
        workers.add(ReplicaProcess.start("jobs-w1", redis.url(), role("worker")));
        workers.add(ReplicaProcess.start("jobs-w2", redis.url(), role("worker")));
    }

    private static Map<String, String> role(String role) {
        Map<String, String> env = new HashMap<>(common);
        env.put("TALLY_ROLE", role);
        return env;
    }

    @AfterAll
    static void stopStack() {
        List<AutoCloseable> all = new ArrayList<>(workers);
        all.add(api);
        all.add(reader);
        all.add(redis);
        for (AutoCloseable closeable : all) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    @Test
    @Order(1)
    void aJobSubmittedOnOneReplicaRunsOnAWorkerAndIsReadOnAThird() {
        String id = submit("{\"type\":\"sleep\",\"payload\":{\"ms\":100}}");
        JsonNode done = await(id, job -> "succeeded".equals(job.path("status").asText()));
        assertEquals(100, done.path("result").path("sleptMs").asInt());
        Set<String> workerIds = workers.stream().map(ReplicaProcess::instanceId).collect(Collectors.toSet());
        assertTrue(workerIds.contains(done.path("worker").asText()), "ran on a worker replica: " + done);
        assertEquals("jobs-reader", http.get(reader.url("/api/v1/jobs/" + id)).headers()
                .firstValue("X-Tally-Instance").orElseThrow(), "read through the third replica");
    }

    @Test
    @Order(2)
    void aThousandJobsSurviveAWorkerKilledWithSigkill() {
        int jobs = 1000;
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        ReplicaProcess victim = workers.get(0);
        // Killed while submissions still flow, once it has finished some jobs, and while it holds a job that runs
        // for seconds: it dies with jobs in hand, however fast the workers drain the 100 ms ones.
        Thread killer = Thread.ofVirtual().start(() -> {
            awaitMetricAtLeast(victim, "tally_jobs_outcomes_total", 50);
            List<String> held = new ArrayList<>();
            for (int i = 0; i < 2 * CONCURRENCY; i++) {
                held.add(submit("{\"type\":\"sleep\",\"payload\":{\"ms\":3000}}"));
            }
            ids.addAll(held);
            awaitOneRunningOn(victim, held);
            victim.kill();
        });
        // A submit may get a 503 when the machine is overloaded; the client sends it again. Only accepted jobs
        // (their ids) are followed, so a retried submit cannot make the accounting below wrong.
        RetryingClient client = new RetryingClient(10);
        Hammer.Result submitted = Hammer.run(jobs, 16, Duration.ofMinutes(2), i -> {
            HttpResponse<String> response = client.send(() -> http.post(api.url("/api/v1/jobs"),
                    "{\"type\":\"sleep\",\"payload\":{\"ms\":100}}"));
            if (response.statusCode() == 202) {
                ids.add(read(response.body()).path("id").asText());
            }
            return response;
        });
        assertEquals(Map.of(202, (long) jobs), submitted.statuses(), "every submit accepted: " + submitted);

        try {
            killer.join(WAIT);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        assertFalse(victim.isAlive(), "the worker was killed");
        workers.set(0, ReplicaProcess.start("jobs-w3", redis.url(), role("worker")));

        long attempts = 0;
        int takenOver = 0;
        for (String id : ids) {
            JsonNode job = await(id, j -> "succeeded".equals(j.path("status").asText()));
            attempts += job.path("attempts").asLong();
            takenOver += job.path("attempts").asLong() > 1 ? 1 : 0;
        }
        long duplicates = attempts - ids.size();
        System.out.printf("%d jobs, one worker killed: %d extra attempts on %d jobs; submits retried %s%n", ids.size(),
                duplicates, takenOver, client.retries());
        assertTrue(takenOver >= 1, "the kill hit jobs in flight, which another worker took over and finished");
        assertTrue(duplicates <= CONCURRENCY, "extra attempts bounded by one kill x the concurrency: " + duplicates);
    }

    @Test
    @Order(3)
    void aQueuedJobCancelledNeverStartsAndARunningOneStops() {
        List<String> blockers = new ArrayList<>();
        for (int i = 0; i < 2 * CONCURRENCY; i++) {
            blockers.add(submit("{\"type\":\"sleep\",\"payload\":{\"ms\":4000}}"));
        }
        for (String blocker : blockers) {
            await(blocker, job -> "running".equals(job.path("status").asText()));
        }
        String queued = submit("{\"type\":\"sleep\",\"payload\":{\"ms\":1}}");
        HttpResponse<String> cancelQueued = http.delete(api.url("/api/v1/jobs/" + queued));
        assertEquals(200, cancelQueued.statusCode(), cancelQueued.body());
        assertEquals("cancelled", read(cancelQueued.body()).path("status").asText());

        String running = blockers.get(0);
        assertEquals(202, http.delete(api.url("/api/v1/jobs/" + running)).statusCode());
        JsonNode stopped = await(running, job -> "cancelled".equals(job.path("status").asText()));
        assertEquals(1, stopped.path("attempts").asInt());

        for (String blocker : blockers.subList(1, blockers.size())) {
            await(blocker, job -> "succeeded".equals(job.path("status").asText()));
        }
        // The cancelled job's stream entry was read by now (the workers are idle), and dropped, not run.
        awaitQueueEmpty();
        JsonNode never = read(http.get(reader.url("/api/v1/jobs/" + queued)).body());
        assertEquals("cancelled", never.path("status").asText());
        assertEquals(0, never.path("attempts").asInt(), "never started: " + never);
        assertTrue(never.path("startedAt").isMissingNode(), "never started: " + never);
    }

    @Test
    @Order(4)
    void aWorkerStoppedWithSigtermReleasesItsJobsAndNoneIsLost() throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2 * CONCURRENCY; i++) {
            ids.add(submit("{\"type\":\"sleep\",\"payload\":{\"ms\":6000}}"));
        }
        ReplicaProcess stopping = workers.get(1);
        awaitMetricAtLeast(stopping, "tally_jobs_running", CONCURRENCY);
        int exit = stopping.stop(Duration.ofSeconds(30));
        // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks (Quarkus' orderly stop) ran to the end.
        assertTrue(exit == 143 || exit == 0, "an orderly exit, not a forced kill: " + exit);
        assertTrue(Files.readString(stopping.log()).contains("Released " + CONCURRENCY + " unfinished job(s)"),
                "the stopping worker released the jobs it could not finish within its drain timeout");
        workers.set(1, ReplicaProcess.start("jobs-w4", redis.url(), role("worker")));

        for (String id : ids) {
            await(id, job -> "succeeded".equals(job.path("status").asText()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private String submit(String body) {
        HttpResponse<String> response = new RetryingClient(10).send(() -> http.post(api.url("/api/v1/jobs"), body));
        assertEquals(202, response.statusCode(), response.body());
        assertNotNull(response.headers().firstValue("Location").orElse(null));
        return read(response.body()).path("id").asText();
    }

    private JsonNode await(String id, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            HttpResponse<String> response = http.get(reader.url("/api/v1/jobs/" + id));
            assertEquals(200, response.statusCode(), response.body());
            JsonNode job = read(response.body());
            if (condition.test(job)) {
                return job;
            }
            assertTrue(System.nanoTime() < deadline, "job " + id + " did not get there within " + WAIT + ": " + job);
            Pause.of(Duration.ofMillis(100));
        }
    }

    private void awaitQueueEmpty() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (metric(reader, "tally_jobs_queued") + metric(reader, "tally_jobs_pending") > 0) {
            assertTrue(System.nanoTime() < deadline, "the queue did not empty within " + WAIT);
            Pause.of(Duration.ofMillis(100));
        }
    }

    /** Waits until one of {@code ids} is running on {@code worker}. */
    private void awaitOneRunningOn(ReplicaProcess worker, List<String> ids) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (String id : ids) {
                JsonNode job = read(http.get(reader.url("/api/v1/jobs/" + id)).body());
                if ("running".equals(job.path("status").asText())
                        && worker.instanceId().equals(job.path("worker").asText())) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "none of " + ids + " ran on " + worker.instanceId());
            Pause.of(Duration.ofMillis(50));
        }
    }

    private void awaitMetricAtLeast(ReplicaProcess replica, String name, double minimum) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (metric(replica, name) < minimum) {
            assertTrue(System.nanoTime() < deadline, name + " on " + replica.instanceId() + " below " + minimum);
            Pause.of(Duration.ofMillis(50));
        }
    }

    private double metric(ReplicaProcess replica, String name) {
        String text = ops.get(replica.managementUrl("/q/metrics")).body();
        return text.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
