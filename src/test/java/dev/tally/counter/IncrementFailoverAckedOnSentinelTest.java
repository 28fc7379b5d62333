package dev.tally.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import dev.tally.testsupport.AckedSentinelRoute;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link IncrementFailoverOnSentinelTest} with {@code tally.redis.min-replicas-acked=1}: an increment is answered 200
 * only once a replica has it, and Sentinel promotes the replica with the most data, so none is lost. Writes resume
 * once the remaining replica follows the promoted master (each write must be confirmed again).
 */
@QuarkusTest
@TestProfile(AckedSentinelRoute.class)
class IncrementFailoverAckedOnSentinelTest extends IncrementFailoverOnSentinelTest {

    @Override
    String topology() {
        return "Sentinel, min-replicas-acked=1";
    }

    @Override
    void afterPromotion() {
        sentinels.awaitReplicated(Duration.ofSeconds(30));
    }

    @Override
    void checkLost(long lost) {
        assertEquals(0, lost, "no acknowledged increment lost");
    }
}
