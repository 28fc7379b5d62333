package dev.tally.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.AckedClusterRoute;
import dev.tally.testsupport.FailoverLoad;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.PrometheusMetrics;
import dev.tally.testsupport.RedisCluster;
import dev.tally.testsupport.RedisNode;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * What a Redis Cluster answers while it changes, and what Tally makes of it: a slot moved to another master under
 * load ({@code ASK}, {@code TRYAGAIN}, then {@code MOVED} until the client knows the new owner) gives 200s and 503s
 * with {@code Retry-After}, never a 500, and every increment counted once; readiness asks every master, not one node.
 * On the profile with {@code min-replicas-acked=1}: the cluster client follows redirects of a single command itself,
 * but not those of a batch (the write and its {@code WAIT}), so here they reach Tally.
 */
@QuarkusTest
@TestProfile(AckedClusterRoute.class)
class RedisAnswersOnClusterTest {

    @TestHTTPResource("/")
    URI app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    Keys keys;

    /** Set by the route's resource. */
    RedisCluster cluster;

    @Test
    void aSlotMovedUnderLoadIsAnsweredWith503sNeverA500AndCountsEveryIncrementOnce() {
        PrometheusMetrics metrics = new PrometheusMetrics(management);
        double before = redirects(metrics);
        String name = Unique.name("moved");
        String key = keys.counterValue(name);
        FailoverLoad load = FailoverLoad.start(Http.at(app), name, 8);
        Pause.of(Duration.ofSeconds(2)); // load before the move
        RedisNode from = cluster.masterOf(key);
        RedisNode to = cluster.masters().stream().filter(master -> master != from).findFirst().orElseThrow();
        load.fault();
        cluster.moveSlotOf(key, to, Duration.ofSeconds(1));
        long moved = System.nanoTime();
        assertEquals(to, cluster.masterOf(key));
        Pause.of(Duration.ofSeconds(2)); // load after the move
        long lost = load.stopAndCheck("Cluster slot move", moved, Duration.ofSeconds(5), () -> value(name));
        assertEquals(0, lost, "a slot move loses nothing");
        assertTrue(redirects(metrics) > before, "the load met the move (ASK, TRYAGAIN or MOVED answered 503)");
    }

    private static double redirects(PrometheusMetrics metrics) {
        return metrics.value("tally_redis_refusals_total", "kind=\"moved\"")
                + metrics.value("tally_redis_refusals_total", "kind=\"ask\"")
                + metrics.value("tally_redis_refusals_total", "kind=\"tryagain\"");
    }

    private long value(String name) {
        HttpResponse<String> reply = Http.at(app).get("/api/v1/counters/" + name);
        assertEquals(200, reply.statusCode(), reply.body());
        return Long.parseLong(reply.body().replaceAll(".*\"value\":(-?\\d+).*", "$1"));
    }

    /**
     * One master paused ({@code CLIENT PAUSE}: it answers no client, while the cluster bus goes on, so no failover):
     * the replica is not ready, every time, within the readiness budget. A {@code PING} to one random node of six
     * would say ready five times in six.
     */
    @Test
    void readinessAsksEveryMaster() {
        Http managementPort = Http.at(URI.create(management.toString())); // http://host:port/q/
        assertEquals(200, managementPort.get("health/ready").statusCode());
        for (RedisNode master : cluster.masters()) {
            assertEquals("OK", master.command("CLIENT", "PAUSE", "1500", "ALL"));
            long started = System.nanoTime();
            HttpResponse<String> ready = managementPort.get("health/ready");
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(503, ready.statusCode(), master.address() + " paused: " + ready.body());
            assertTrue(tookMs < 1500, "answered within the ping budget (500 ms) and a margin: " + tookMs + " ms");
            Pause.of(Duration.ofMillis(1600)); // the pause ends
            assertEquals(200, managementPort.get("health/ready").statusCode(), "ready again");
        }
    }
}
