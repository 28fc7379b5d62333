package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.PrometheusMetrics;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A request running past {@code tally.ops.stuck-threshold} (2 s in the test profile) is logged once, within a
 * second of crossing it, with its thread's stack; {@code /ops/requests} lists it while it runs; a short request
 * is never reported.
 */
@QuarkusTest
class StuckRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long THRESHOLD_MS = 2000;
    private static final Pattern AGE = Pattern.compile("running for (\\d+) ms");

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void aRequestBlockedPastTheThresholdIsLoggedWithItsStackWithinASecond() throws Exception {
        Http http = Http.at(app.toURI());
        Http ops = Http.at(management.toURI()).withBearer(OpsToken.ofTestApplication());
        PrometheusMetrics metrics = new PrometheusMetrics(management);
        double stuckBefore = metrics.value("tally_requests_stuck_total");
        String stuckId = Unique.name("stuck");
        String shortId = Unique.name("short");

        try (LogCapture log = LogCapture.of(StuckRequestWatchdog.class.getName())) {
            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(
                    () -> http.get("/api/v1/work/blocking?ms=4000", "X-Request-Id", stuckId));
            assertEquals(200, http.get("/api/v1/work/blocking?ms=100", "X-Request-Id", shortId).statusCode());

            JsonNode listed = awaitListed(ops, stuckId);
            assertEquals("GET", listed.path("method").asText());
            assertEquals("/api/v1/work/blocking", listed.path("path").asText());
            assertEquals("virtual", listed.path("threadKind").asText(), listed.toString());

            String message = log.await(m -> m.contains(stuckId), Duration.ofSeconds(15));
            Matcher age = AGE.matcher(message);
            assertTrue(age.find(), message);
            long ageMs = Long.parseLong(age.group(1));
            assertTrue(ageMs >= THRESHOLD_MS && ageMs < THRESHOLD_MS + 1000,
                    "reported at " + ageMs + " ms, threshold " + THRESHOLD_MS + " ms");
            assertTrue(message.startsWith("Stuck request: GET /api/v1/work/blocking request id " + stuckId), message);
            assertTrue(message.contains("on virtual thread"), message);
            assertTrue(message.contains("\tat dev.tally.work.BlockingWork.block("), "the stack: " + message);

            assertEquals(200, slow.join().statusCode());
            assertEquals(1, log.messages().stream().filter(m -> m.contains(stuckId)).count(), "logged once");
            assertTrue(log.messages().stream().noneMatch(m -> m.contains(shortId)), "the control is not reported");
        }
        assertEquals(stuckBefore + 1, metrics.value("tally_requests_stuck_total"));
        assertTrue(JSON.readTree(ops.get("/ops/requests").body()).path("requests").findValuesAsText("requestId")
                .stream().noneMatch(stuckId::equals), "a finished request leaves the list");
    }

    private static JsonNode awaitListed(Http ops, String requestId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode body = JSON.readTree(ops.get("/ops/requests").body());
            for (JsonNode request : body.path("requests")) {
                if (request.path("requestId").asText().equals(requestId)
                        && request.path("threadKind").asText().equals("virtual")) {
                    assertTrue(request.path("ageMs").asLong() >= 0);
                    assertTrue(request.path("thread").asText().contains("#"), request.toString());
                    return request;
                }
            }
            Pause.of(Duration.ofMillis(50));
        }
        throw new AssertionError(requestId + " never listed in /ops/requests");
    }
}
