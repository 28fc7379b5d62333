package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Hammer;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.Problems;
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
                Integer.toString(Ports.free()), "TALLY_RATE_LIMIT", "20r/s", "TALLY_RATE_BURST", "10",
                "TALLY_WRITE_RATE_LIMIT", "2r/s", "TALLY_WRITE_RATE_BURST", "3"))
                .awaitReady(Duration.ofSeconds(120));
        https = Http.tls(TrustedCertificate.context(launcher.runDir().resolve("tls/cert.pem")),
                HttpClient.Version.HTTP_1_1);
    }

    @AfterAll
    static void stop() {
        LocalLauncher.stopCleanly(launcher, Duration.ofSeconds(60));
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
        assertRateLimited(sample);
    }

    /** The same eight requests at once: as reads all within the burst, as writes (burst 3 at 2 r/s) limited. */
    @Test
    void writesAreLimitedMoreStrictlyThanReads() {
        String counter = url("/api/v1/counters/strict-" + UUID.randomUUID());
        waitForTokens();
        Hammer.Result reads = Hammer.run(8, 8, Duration.ofMinutes(1), i -> https.get(counter));
        assertEquals(Map.of(200, 8L), reads.statuses(), "reads: " + reads);
        waitForTokens();
        Queue<HttpResponse<String>> limited = new ConcurrentLinkedQueue<>();
        Hammer.Result writes = Hammer.run(8, 8, Duration.ofMinutes(1), i -> {
            HttpResponse<String> response = https.post(counter + "/increment", null);
            if (response.statusCode() == 429) {
                limited.add(response);
            }
            return response;
        });
        assertEquals(8, writes.count(200) + writes.count(429), "served or limited: " + writes);
        assertTrue(writes.count(429) >= 3 && writes.count(200) >= 3, "the write burst is 3: " + writes);
        assertRateLimited(limited.peek());
        waitForTokens();
        String value = https.get(counter).body();
        assertTrue(value.contains("\"value\":" + writes.count(200)), "only served writes counted: " + value);
    }

    @Test
    void anOversizedBodyIsRefusedByNginxAsAProblem() {
        HttpResponse<String> response = https.post(url("/api/v1/sessions"), "{\"x\":\"" + "a".repeat(600_000) + "\"}");
        Problems.assertFromNginx(response, 413, Problems.GENERIC, "Request Entity Too Large");
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
        Problems.assertFromNginx(response, 502, Problems.GENERIC, "Bad Gateway");
        assertEquals("2", response.headers().firstValue("Retry-After").orElse(null), "no replica: retry shortly");
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

    private static void assertRateLimited(HttpResponse<String> response) {
        Problems.assertFromNginx(response, 429, Problems.tally("rate-limited"), "Rate limited");
        assertEquals("1", response.headers().firstValue("Retry-After").orElse(null), "Retry-After");
    }

    /** Lets the rate limiter refill so a test's own requests are not the ones limited. */
    private static void waitForTokens() {
        Pause.of(Duration.ofMillis(1500));
    }
}
