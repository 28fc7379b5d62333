package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.value;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.FailoverLoad;
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
        load.fault();
        master.kill();
        sentinels.awaitPromotionAfter(master, Duration.ofSeconds(30));
        long promoted = System.nanoTime();
        Pause.of(Duration.ofSeconds(3)); // load after the promotion
        load.stopAndCheck("Sentinel", promoted, LONGEST_ANSWER, () -> value(name));

        master.restart(); // it comes back empty and the sentinels make it a replica of the new master
        sentinels.awaitHealthy(Duration.ofSeconds(30));
    }
}
