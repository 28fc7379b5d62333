package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisProvisioner;
import dev.tally.testsupport.ReplicaProcess;

/**
 * The classic thread-pool failure, tried on a real replica with its production bounds: 500 clients hold
 * blocking calls at once, and the rest of the service must go on answering as if they were not there.
 */
class BlockingIsolationIT {

    private static final int BLOCKED_CLIENTS = 500;
    private static RealRedis redis;
    private static ReplicaProcess replica;
    private final Http http = new Http();
    /** The management port's metrics and /ops routes need the ops token; the app port never gets it. */
    private final Http ops = new Http().withBearer(ReplicaProcess.opsToken());

    @BeforeAll
    static void start() {
        redis = RedisProvisioner.provide();
        replica = ReplicaProcess.start("isolation", redis.url());
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void helloAndCounterReadsAnswerWhile500ClientsHoldBlockingCalls() throws Exception {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> blocked = new ArrayList<>();
            for (int i = 0; i < BLOCKED_CLIENTS; i++) {
                blocked.add(clients.submit(
                        () -> http.get(replica.url("/api/v1/work/blocking?ms=20000")).statusCode()));
            }
            awaitInFlight(BLOCKED_CLIENTS, Duration.ofSeconds(30));

            long slowest = 0;
            for (int i = 0; i < 50; i++) {
                long started = System.nanoTime();
                assertEquals(200, http.get(replica.url("/")).statusCode());
                assertEquals(200, http.post(replica.url("/api/v1/counters/isolation/increment"), null).statusCode());
                assertEquals(200, http.get(replica.url("/api/v1/counters/isolation")).statusCode());
                slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
            }
            // The proof of isolation is structural, not a latency bound: every probe above was answered while all
            // the blocked calls still held their threads (a classic 200-thread pool would have made the probes wait
            // for them). Latency under this load is measured by bench/isolation.sh.
            assertEquals(BLOCKED_CLIENTS, blockedInFlight(), "the blocked calls were all still in flight meanwhile");
            for (Future<Integer> call : blocked) {
                assertEquals(200, call.get());
            }
            System.out.printf("500 blocked calls in flight: slowest hello+increment+read %d ms%n", slowest);
        }
    }

    private int blockedInFlight() {
        return (int) ops.get(replica.managementUrl("/q/metrics")).body().lines()
                .filter(line -> line.startsWith("tally_work_blocking_in_flight"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private void awaitInFlight(int expected, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (blockedInFlight() < expected) {
            assertTrue(System.nanoTime() < deadline, "only " + blockedInFlight() + " blocked calls in flight");
            Pause.of(Duration.ofMillis(50));
        }
    }
}
