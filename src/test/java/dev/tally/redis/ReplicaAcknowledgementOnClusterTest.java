package dev.tally.redis;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.AckedClusterRoute;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.RedisCluster;
import dev.tally.testsupport.RedisNode;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code tally.redis.min-replicas-acked=1} on a 3+3 Redis Cluster: the {@code WAIT} goes to the master that took the
 * write. With the replica of one master held back from applying writes, every increment of a counter on that master
 * is unconfirmed (503, "may have happened"), and every increment on the two others is confirmed (200). A key-less
 * {@code WAIT} sent on its own would reach a random master, on a connection whose last write that master's replica
 * has: most counters on the held-back pair would be confirmed (all four with odds of 1 in 81 at least).
 *
 * <p>The replica is paused for writes, not frozen: the Cluster client takes a connection to every node for each
 * command, so when its pool had none idle to a frozen replica the new one's handshake never answered, and now and
 * then a counter on a healthy master ran out of time (a CI run saw it).
 */
@QuarkusTest
@TestProfile(AckedClusterRoute.class)
class ReplicaAcknowledgementOnClusterTest {

    private static final int COUNTERS_PER_MASTER = 4;

    @TestHTTPResource("/")
    URI app;

    @Inject
    Keys keys;

    /** Set by the route's resource. */
    RedisCluster cluster;

    @Test
    void theWaitGoesToTheMasterThatTookTheWrite() {
        Http http = Http.at(app);
        Map<RedisNode, List<String>> countersByMaster = new HashMap<>();
        while (countersByMaster.size() < RedisCluster.MASTERS || countersByMaster.values().stream()
                .anyMatch(names -> names.size() < COUNTERS_PER_MASTER)) {
            String name = Unique.name("ack");
            countersByMaster.computeIfAbsent(cluster.masterOf(keys.counterValue(name)), m -> new ArrayList<>())
                    .add(name);
        }
        countersByMaster.values().forEach(names -> names.subList(COUNTERS_PER_MASTER, names.size()).clear());
        countersByMaster.values().forEach(names -> names.forEach(name ->
                assertEquals(200, increment(http, name).statusCode(), "all confirmed while every replica answers")));

        RedisNode unreplicated = countersByMaster.keySet().iterator().next();
        RedisNode replica = cluster.replicaOf(unreplicated);
        replica.pauseWrites(Duration.ofSeconds(30));
        try {
            countersByMaster.forEach((master, names) -> names.forEach(name -> {
                HttpResponse<String> answer = increment(http, name);
                if (master == unreplicated) {
                    var problem = assertProblem(answer, 503, tally("store-unavailable"));
                    assertTrue(problem.get("detail").asText().contains("may have happened"), problem.toString());
                    assertEquals("2", answer.headers().firstValue("Retry-After").orElse(""));
                } else {
                    assertEquals(200, answer.statusCode(), name + " on " + master.address() + ": " + answer.body());
                }
            }));
        } finally {
            replica.resumeWrites();
        }
        cluster.awaitHealthy(Duration.ofSeconds(30));
    }

    private static HttpResponse<String> increment(Http http, String name) {
        return http.post("/api/v1/counters/" + name + "/increment", "{}");
    }
}
