package dev.tally.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.LogCapture;

/**
 * What the pipeline's stages left on one answer, read from outside: the tags (request id echoed, instance named),
 * the timing stage's {@code Server-Timing} header and its {@code tally.access} line.
 */
record Passage(int status, Map<String, String> headers, String requestId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code headers} with lower-case names. */
    Passage {
        headers = Map.copyOf(headers);
    }

    void assertTagged() {
        assertEquals(requestId, headers.get("x-request-id"), "the request id the client sent comes back: " + headers);
        assertTrue(!headers.getOrDefault("x-tally-instance", "").isBlank(), "names the replica: " + headers);
    }

    void assertTimedAndLogged(LogCapture accessLog) {
        assertTrue(headers.getOrDefault("server-timing", "").startsWith("redis;dur="), "timed: " + headers);
        String message = accessLog.await(m -> m.contains(requestId), Duration.ofSeconds(5));
        try {
            JsonNode line = JSON.readTree(message);
            assertEquals(requestId, line.path("requestId").asText(), message);
            assertEquals(status, line.path("status").asInt(), message);
        } catch (java.io.IOException e) {
            throw new AssertionError("not a JSON access line: " + message, e);
        }
    }
}
