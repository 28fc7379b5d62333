package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Hammer;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.TrustedCertificate;

/** What Nginx answers by itself (rate limit, oversized body, no replica) has the service's problem shape. */
class NginxLimitsIT {

    private static LocalLauncher launcher;
    private static int httpsPort;
    private static Http https;

    @BeforeAll
    static void launch() {
        httpsPort = Ports.free();
        launcher = LocalLauncher.start(Map.of("TALLY_REPLICAS", "1", "TALLY_PORT", Integer.toString(Ports.free()),
                "TALLY_MANAGEMENT_PORT", Integer.toString(Ports.free()), "TALLY_REDIS_PORT",
                Integer.toString(Ports.free()), "TALLY_HTTPS_PORT", Integer.toString(httpsPort), "TALLY_HTTP_PORT",
                Integer.toString(Ports.free()), "TALLY_RATE_LIMIT", "20r/s", "TALLY_RATE_BURST", "10"))
                .awaitReady(Duration.ofSeconds(120));
        https = Http.tls(TrustedCertificate.context(launcher.runDir().resolve("tls/cert.pem")),
                HttpClient.Version.HTTP_1_1);
    }

    @AfterAll
    static void stop() {
        if (launcher != null) {
            assertEquals(0, launcher.stop(Duration.ofSeconds(60)), launcher.output());
        }
    }

    private static String url(String path) {
        return "https://127.0.0.1:" + httpsPort + path;
    }

    @Test
    void theRateLimitAnswers429Problems() {
        Queue<HttpResponse<String>> limited = new ConcurrentLinkedQueue<>();
        Hammer.Result result = Hammer.run(200, 20, Duration.ofMinutes(1), i -> {
            HttpResponse<String> response = https.get(url("/"));
            if (response.statusCode() == 429) {
                limited.add(response);
            }
            return response;
        });
        assertTrue(result.count(429) > 0 && result.count(200) > 0, "some limited, some served: " + result);
        assertEquals(0, result.total() - result.count(200) - result.count(429), "nothing else: " + result);
        HttpResponse<String> sample = limited.peek();
        assertProblem(sample, 429);
        assertEquals("1", sample.headers().firstValue("Retry-After").orElseThrow());
    }

    @Test
    void anOversizedBodyIsRefusedByNginxAsAProblem() {
        HttpResponse<String> response = https.post(url("/api/v1/sessions"), "{\"x\":\"" + "a".repeat(600_000) + "\"}");
        assertProblem(response, 413);
    }

    @Test
    void noReplicaToAnswerIsA502Problem() {
        waitForTokens();
        LocalLauncher.signal(launcher.replicaPid(1), "KILL");
        HttpResponse<String> response = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            response = https.get(url("/"));
            if (response.statusCode() == 502) {
                break;
            }
        }
        assertProblem(response, 502);
        awaitServing(); // the launcher restarts the replica; leave the stack as other tests expect it
    }

    private static void awaitServing() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            waitForTokens();
            if (https.get(url("/")).statusCode() == 200) {
                return;
            }
        }
        throw new AssertionError("the replica did not come back\n" + launcher.output());
    }

    private static void assertProblem(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(response.body().contains("\"status\":" + status), response.body());
        assertTrue(response.body().contains("\"requestId\":\"" + requestId + "\""), response.body());
        assertTrue(response.headers().firstValue("Strict-Transport-Security").isPresent());
    }

    /** Lets the rate limiter refill so a test's own requests are not the ones limited. */
    private static void waitForTokens() {
        Pause.of(Duration.ofMillis(1500));
    }
}
