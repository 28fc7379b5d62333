package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.RawHttp;
import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisProvisioner;
import dev.tally.testsupport.ReplicaProcess;

/**
 * What a real replica does between SIGTERM and exit: readiness DOWN, every request still served, except the
 * idempotent ones a retrying proxy sent, which it hands back by closing the connection without an answer, so the
 * proxy retries them elsewhere and takes the replica out of rotation.
 */
class DrainIT {

    private static final String PROXY_RETRIES = "X-Tally-Proxy-Retries";

    private final Http http = new Http();
    /** The management port's metrics and /ops routes need the ops token; the app port never gets it. */
    private final Http ops = new Http().withBearer(ReplicaProcess.opsToken());
    private RealRedis redis;
    private ReplicaProcess replica;

    @BeforeEach
    void start() {
        redis = RedisProvisioner.provide();
        // A long delay so that the checks below surely fall inside it, even on a loaded machine.
        replica = ReplicaProcess.start("drain-" + UUID.randomUUID().toString().substring(0, 8), redis.url(),
                Map.of("QUARKUS_SHUTDOWN_DELAY", "20s"));
    }

    @AfterEach
    void stop() {
        replica.close();
        redis.close();
    }

    @Test
    void aDrainingReplicaHandsBackOnlyWhatTheProxyRetriesAndServesTheRest() {
        String counter = "/api/v1/counters/drain-" + UUID.randomUUID();
        // Before the drain the header changes nothing: the control case.
        assertEquals(200, http.get(replica.url(counter), PROXY_RETRIES, "idempotent").statusCode());

        replica.terminate();
        awaitReadiness(503);

        RawHttp.Answer handedBack = RawHttp.plain(InetAddress.getLoopbackAddress(), replica.port(),
                "GET " + counter + " HTTP/1.1\r\nHost: localhost\r\n" + PROXY_RETRIES + ": idempotent\r\n\r\n");
        assertEquals(-1, handedBack.status(), "closed without an answer: " + handedBack.raw());

        assertEquals(200, http.get(replica.url(counter)).statusCode(), "a direct client is still served");
        HttpResponse<String> post = http.post(replica.url(counter + "/increment"), null, PROXY_RETRIES, "idempotent");
        assertEquals(200, post.statusCode(), "a POST is never handed back: the proxy would not retry it");
        assertTrue(post.body().contains("\"value\":1"), post.body());
        assertEquals("close", post.headers().firstValue("Connection").orElse(null),
                "while draining, connections are closed after each response");

        String metrics = ops.get(replica.managementUrl("/q/metrics")).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("tally_requests_handed_back_total") && l.endsWith(" 1.0")),
                "one request handed back: " + metrics.lines().filter(l -> l.contains("handed_back")).toList());
        // 143: the JVM ended by its SIGTERM shutdown hooks (drain done); 137 would mean it had to be killed.
        assertEquals(143, replica.stop(Duration.ofSeconds(40)), "exit after the drain");
    }

    private void awaitReadiness(int status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (http.get(replica.managementUrl("/q/health/ready")).statusCode() != status) {
            assertTrue(System.nanoTime() < deadline, "readiness never became " + status);
            Pause.of(Duration.ofMillis(20));
        }
    }
}
