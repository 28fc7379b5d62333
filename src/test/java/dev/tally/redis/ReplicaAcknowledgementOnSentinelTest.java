package dev.tally.redis;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.AckedSentinelRoute;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.PrometheusMetrics;
import dev.tally.testsupport.RedisNode;
import dev.tally.testsupport.RedisSentinels;
import dev.tally.testsupport.Unique;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;

/**
 * {@code tally.redis.min-replicas-acked=1} behind Sentinel (a master, two replicas). Both replicas are frozen
 * ({@code kill -STOP}: connected, silent), so no write can be confirmed: every change the API answers for is a 503
 * that says it may have happened, reads are not held up, and the change is on the master, where an increment's retry
 * with its {@code Idempotency-Key} finds it once the replicas are back. And why the {@code WAIT} must ride on the
 * write's own connection.
 */
@QuarkusTest
@TestProfile(AckedSentinelRoute.class)
class ReplicaAcknowledgementOnSentinelTest {

    private static final Duration BUDGET = Duration.ofMillis(1500); // tally.redis.command-timeout

    @TestHTTPResource("/")
    URI app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    Keys keys;

    /** Set by the route's resource. */
    RedisSentinels sentinels;

    private List<RedisNode> frozen = List.of();

    @AfterEach
    void thaw() {
        frozen.forEach(RedisNode::thaw);
        sentinels.awaitHealthy(Duration.ofSeconds(30));
    }

    private void freezeReplicas() {
        frozen = sentinels.replicas();
        assertEquals(2, frozen.size(), "two replicas");
        frozen.forEach(RedisNode::freeze);
    }

    /**
     * Redis keeps the replication offset to wait for per client: a {@code WAIT} on another connection than the
     * write's asks for that connection's own offset (here a new one's: none), which the frozen replicas have, and
     * answers at once that both are up to date, though neither has the write. On the write's own connection it
     * waits, and answers 0. A pooled connection is no better: it waits for its own last write, not this one.
     */
    @Test
    void waitConfirmsOnlyTheWritesOfItsOwnConnection() {
        RedisConnection writer = redis.getRedis().connect().await().atMost(BUDGET);
        try {
            freezeReplicas();
            writer.send(Request.cmd(Command.SET).arg(keys.counterValue(Unique.name("wait"))).arg("1"))
                    .await().atMost(BUDGET);
            long started = System.nanoTime();
            String elsewhere = sentinels.master().command("WAIT", "1", "500");
            long elsewhereMs = (System.nanoTime() - started) / 1_000_000;
            long own = writer.send(Request.cmd(Command.WAIT).arg(1).arg(500)).await().atMost(BUDGET).toLong();

            assertEquals("2", elsewhere, "another connection's WAIT counts both frozen replicas as up to date");
            assertTrue(elsewhereMs < 400, "and does not wait: " + elsewhereMs + " ms");
            assertEquals(0, own, "the writer's WAIT: no replica has the write");
        } finally {
            writer.close().await().atMost(BUDGET);
        }
    }

    @Test
    void anUnconfirmedIncrementIsA503ThatMayHaveHappenedAndItsRetryCountsItOnce() {
        String name = Unique.name("ack");
        Http http = Http.at(app);
        String increment = "/api/v1/counters/" + name + "/increment";
        PrometheusMetrics metrics = new PrometheusMetrics(management);
        double before = metrics.value("tally_redis_unconfirmed_writes_total");
        freezeReplicas();

        HttpResponse<String> unconfirmed = http.post(increment, "{\"by\": 5}", "Idempotency-Key", "k1");
        var problem = assertProblem(unconfirmed, 503, tally("store-unavailable"));
        assertTrue(problem.get("detail").asText().contains("may have happened"), problem.toString());
        assertEquals("2", unconfirmed.headers().firstValue("Retry-After").orElse(""));
        assertEquals("5", sentinels.master().command("GET", keys.counterValue(name)), "made on the master");
        assertEquals(before + 1, metrics.value("tally_redis_unconfirmed_writes_total"));
        assertEquals(200, http.get("/api/v1/counters/" + name).statusCode(), "reads do not wait for replicas");

        frozen.forEach(RedisNode::thaw);
        frozen = List.of();
        HttpResponse<String> retried = http.post(increment, "{\"by\": 5}", "Idempotency-Key", "k1");
        assertEquals(200, retried.statusCode(), retried.body());
        assertEquals("true", retried.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertTrue(retried.body().contains("\"value\":5"), retried.body());
        assertEquals(200, http.post(increment, "{}").statusCode(), "confirmed again once the replicas answer");
    }

    /** Which writes wait: every change a client is answered for. Each one is refused here, in the same way. */
    @Test
    void everyChangeTheApiAnswersForWaitsForAReplica() {
        String name = Unique.name("ack");
        Http http = Http.at(app);
        freezeReplicas();
        List<HttpResponse<String>> changes = List.of(
                http.post("/api/v1/counters/" + name + "/increment", "{}"),
                http.delete("/api/v1/counters/" + name),
                http.post("/api/v1/sessions", "{}"),
                http.post("/api/v1/jobs", "{\"type\":\"noop\"}"));
        for (HttpResponse<String> change : changes) {
            var problem = assertProblem(change, 503, tally("store-unavailable"));
            assertTrue(problem.get("detail").asText().contains("may have happened"), problem.toString());
        }
    }
}
