package dev.tally.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** One JSON timing line per request, carrying the request id the client got, and a Server-Timing header. */
@QuarkusTest
@TestProfile(AccessLogTest.WithoutQuota.class)
class AccessLogTest {

    /**
     * Quotas off, so that a route's Redis time is its own: with them on, every request also runs the quota's one
     * script, which the timing log rightly counts as Redis time (auth/QuotaTest covers the quota).
     */
    public static class WithoutQuota implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tally.auth.quota.enabled", "false");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REDIS_TIMING = Pattern.compile("redis;dur=(\\d+\\.\\d{3})");

    @TestHTTPResource("/")
    URL app;

    @Test
    void theAccessLineCarriesTheRequestIdTheClientGotAndTheRouteTemplate() throws Exception {
        Http http = Http.at(app.toURI());
        try (LogCapture log = LogCapture.of(AccessLog.CATEGORY)) {
            HttpResponse<String> response = http.post("/api/v1/counters/" + Unique.name("access") + "/increment", null);
            assertEquals(200, response.statusCode());
            String requestId = response.headers().firstValue(RequestIds.HEADER).orElseThrow();

            JsonNode line = JSON.readTree(log.await(m -> m.contains(requestId), Duration.ofSeconds(5)));
            assertEquals(requestId, line.path("requestId").asText());
            assertEquals("POST", line.path("method").asText());
            assertEquals("/api/v1/counters/{name}/increment", line.path("route").asText(), line.toString());
            assertEquals(200, line.path("status").asInt());
            assertEquals(response.body().length(), line.path("bytes").asLong(), line.toString());
            assertEquals(response.headers().firstValue("X-Tally-Instance").orElseThrow(),
                    line.path("instance").asText());
            assertEquals("event-loop", line.path("thread").asText(), "a Uni handler runs on the event loop");
            assertTrue(line.path("redisMs").asDouble() > 0, line.toString());
            assertTrue(line.path("durationMs").asDouble() >= line.path("redisMs").asDouble(), line.toString());

            double headerMs = redisTiming(response);
            assertTrue(headerMs > 0, "an increment waits for Redis: " + headerMs);
            assertTrue(headerMs <= line.path("redisMs").asDouble(), "the header is written after every Redis call");
            assertEquals(1, log.messages().stream().filter(m -> m.contains(requestId)).count(), "one line");
        }
    }

    @Test
    void blockingWorkIsLoggedAsVirtualAndSpendsNoTimeInRedis() throws Exception {
        Http http = Http.at(app.toURI());
        String requestId = Unique.name("access-virtual");
        try (LogCapture log = LogCapture.of(AccessLog.CATEGORY)) {
            HttpResponse<String> response = http.get("/api/v1/work/blocking?ms=5", "X-Request-Id", requestId);
            assertEquals(200, response.statusCode());
            assertEquals(0.0, redisTiming(response), "the control: the route makes no Redis call, so no Redis time");

            JsonNode line = JSON.readTree(log.await(m -> m.contains(requestId), Duration.ofSeconds(5)));
            assertEquals("virtual", line.path("thread").asText());
            assertEquals("/api/v1/work/blocking", line.path("route").asText());
            assertTrue(line.path("durationMs").asDouble() >= 5, line.toString());
        }
    }

    @Test
    void anUnknownRouteIsLoggedAsUnmatchedNotByItsPath() throws Exception {
        Http http = Http.at(app.toURI());
        String requestId = Unique.name("access-404");
        try (LogCapture log = LogCapture.of(AccessLog.CATEGORY)) {
            assertEquals(404, http.get("/no/such/secret-path", "X-Request-Id", requestId).statusCode());
            String message = log.await(m -> m.contains(requestId), Duration.ofSeconds(5));
            JsonNode line = JSON.readTree(message);
            assertEquals(404, line.path("status").asInt());
            assertEquals("unmatched", line.path("route").asText());
            assertTrue(!message.contains("secret-path"), "raw paths stay out of the timing log");
        }
    }

    private static double redisTiming(HttpResponse<String> response) {
        String header = response.headers().firstValue("Server-Timing").orElseThrow();
        Matcher matcher = REDIS_TIMING.matcher(header);
        assertTrue(matcher.matches(), header);
        return Double.parseDouble(matcher.group(1));
    }
}
