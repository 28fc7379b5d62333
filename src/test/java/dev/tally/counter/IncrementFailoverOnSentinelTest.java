package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tally.redis.ClosedConnectionLog;
import dev.tally.testsupport.FailoverLoad;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LogCapture;
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
 * lost: asynchronous replication may drop the last writes the dead master acknowledged. {@link FailoverLoad}
 * measures and logs that loss and the time to recover; nothing may be counted twice.
 */
@QuarkusTest
@TestProfile(SentinelRoute.class)
class IncrementFailoverOnSentinelTest {

    /** A 503 must come fast: the command timeout (1.5 s) plus a margin for the overloaded test machine. */
    static final Duration LONGEST_ANSWER = Duration.ofSeconds(5);
    static final int CLIENTS = 16;

    @TestHTTPResource("/")
    URI app;

    /** Set by {@link SentinelRoute.Resource}: the test kills its master. */
    RedisSentinels sentinels;

    @Test
    void aKilledMasterIsFailedOverWithFast503sAndNoIncrementCountedTwice() {
        String name = Unique.name("failover");
        FailoverLoad load = FailoverLoad.start(Http.at(app), name, CLIENTS);
        Pause.of(Duration.ofSeconds(2)); // load before the kill
        RedisNode master = sentinels.master();
        LogCapture driverLog = LogCapture.of(ClosedConnectionLog.CATEGORY);
        load.fault();
        master.kill();
        try {
            sentinels.awaitPromotionAfter(master, Duration.ofSeconds(30));
            long promoted = System.nanoTime();
            afterPromotion();
            Pause.of(Duration.ofSeconds(3)); // load after the promotion
            long lost = load.stopAndCheck(topology(), promoted, LONGEST_ANSWER, () -> value(name));
            checkLost(lost);
            assertClosedConnectionsLoggedOnce(driverLog.messages());
        } finally {
            driverLog.close(); // for the next test on this set, even after a failure
            master.restart(); // it comes back empty and the sentinels make it a replica of the new master
            sentinels.awaitHealthy(Duration.ofSeconds(30));
        }
    }

    /**
     * The driver's "Unhandled Error: ...ClosedChannelException" (or "Connection reset") for each command on a dead node's connections is one
     * line per 10 s ({@link ClosedConnectionLog}): one or two in the test's seconds, not dozens.
     */
    static void assertClosedConnectionsLoggedOnce(List<String> driverLog) {
        assertEquals(List.of(), driverLog.stream().filter(line -> line.startsWith("Unhandled Error")).toList());
        assertTrue(driverLog.stream().filter(line -> line.startsWith(ClosedConnectionLog.MESSAGE)).count() <= 2,
                driverLog::toString);
    }

    String topology() {
        return "Sentinel, min-replicas-acked=0";
    }

    /** While the load goes on, once a replica is promoted. */
    void afterPromotion() {
    }

    /** Asynchronous replication may lose the last acknowledged writes: measured and logged, not held to a number. */
    void checkLost(long lost) {
    }
}
