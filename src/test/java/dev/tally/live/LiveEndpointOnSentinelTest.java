package dev.tally.live;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.RedisNode;
import dev.tally.testsupport.RedisSentinels;
import dev.tally.testsupport.SentinelRoute;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link LiveEndpointTest} again behind a real Sentinel set (1 master, 2 replicas, 3 sentinels), and live sockets
 * through a failover: the master is killed ({@code kill -9}) under increments, the sentinels promote a replica,
 * and the subscription follows it (the client asks the sentinels for the master on each reconnect).
 */
@QuarkusTest
@TestProfile(SentinelRoute.class)
class LiveEndpointOnSentinelTest extends LiveEndpointTest {

    @TestHTTPResource("/")
    URI root;

    /** Set by {@link SentinelRoute.Resource}. */
    RedisSentinels sentinels;

    @Test
    void liveSocketsStayOpenThroughAFailoverAndEndOnTheTrueValue() {
        String counter = LiveFailover.counter();
        RedisNode master = sentinels.master();
        LiveFailover.socketsFollow("Sentinel", root, live(counter), counter, () -> {
            master.kill();
            sentinels.awaitPromotionAfter(master, Duration.ofSeconds(30));
            return System.nanoTime();
        });
        master.restart(); // it comes back empty and the sentinels make it a replica of the new master
        sentinels.awaitHealthy(Duration.ofSeconds(30));
    }
}
