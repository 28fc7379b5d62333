package dev.tally.redis;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.AckedSentinelRoute;
import dev.tally.testsupport.ApiKeys;
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

    /**
     * Which writes wait: every change a client is answered for, on the API port and on the ops port (an API key
     * revoked and then lost in a failover would be valid again). Each one is refused here, in the same way; the
     * job to cancel and the key to revoke are made while the replicas still answer.
     */
    @Test
    void everyChangeTheApiAnswersForWaitsForAReplica() {
        String name = Unique.name("ack");
        Http http = Http.at(app);
        ApiKeys apiKeys = ApiKeys.at(URI.create(management.toString()));
        HttpResponse<String> submitted = http.post("/api/v1/jobs", "{\"type\":\"sleep\",\"payload\":{\"ms\":60000}}");
        assertEquals(202, submitted.statusCode(), submitted.body());
        String job = ApiKeys.json(submitted.body()).path("id").asText();
        String revoked = Unique.name("revoked");
        apiKeys.create(revoked, "counters:read");
        freezeReplicas();
        Map<String, HttpResponse<String>> changes = new LinkedHashMap<>();
        changes.put("increment", http.post("/api/v1/counters/" + name + "/increment", "{}"));
        changes.put("reset", http.delete("/api/v1/counters/" + name));
        changes.put("session", http.post("/api/v1/sessions", "{}"));
        changes.put("job submit", http.post("/api/v1/jobs", "{\"type\":\"noop\"}"));
        changes.put("job cancel", http.delete("/api/v1/jobs/" + job));
        changes.put("API key create",
                apiKeys.post(ApiKeys.body(Unique.name("created"), List.of("counters:read"), null)));
        changes.put("API key revoke", apiKeys.revoke(revoked));
        assertAll(changes.entrySet().stream().map(change -> () -> {
            var problem = assertProblem(change.getValue(), 503, tally("store-unavailable"));
            assertTrue(problem.get("detail").asText().contains("may have happened"), change.getKey() + ": " + problem);
        }));
    }
}
