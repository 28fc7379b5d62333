package dev.tally.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import dev.tally.testsupport.AckedClusterRoute;
import dev.tally.testsupport.RedisNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link IncrementFailoverOnClusterTest} with {@code tally.redis.min-replicas-acked=1}: an increment is answered 200
 * only once the master's replica has it, and that replica is the one promoted, so none is lost. With one replica per
 * master, the promoted master has none left: its writes are refused (503) until the killed node is back (restarted
 * here at once, as a supervisor would) and has synced as its replica.
 */
@QuarkusTest
@TestProfile(AckedClusterRoute.class)
class IncrementFailoverAckedOnClusterTest extends IncrementFailoverOnClusterTest {

    @Override
    String topology() {
        return "Cluster, min-replicas-acked=1";
    }

    @Override
    void afterPromotion(RedisNode killed) {
        killed.restart();
        cluster.awaitHealthy(Duration.ofSeconds(30));
    }

    @Override
    void checkLost(long lost) {
        assertEquals(0, lost, "no acknowledged increment lost");
    }
}
