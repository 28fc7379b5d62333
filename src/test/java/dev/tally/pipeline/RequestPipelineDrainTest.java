package dev.tally.pipeline;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.RawHttp;
import dev.tally.testsupport.Unique;
import dev.tally.web.AccessLog;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The drain hand-back after tagging and timing, on an application of its own (a drain is never undone): the
 * connection it closes unanswered, which sends Nginx to another replica, is still timed and logged.
 */
@QuarkusTest
@TestProfile(RequestPipelineDrainTest.Draining.class)
class RequestPipelineDrainTest {

    /** A profile only so that this class gets its own application to drain. */
    public static class Draining implements QuarkusTestProfile {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI app;

    @Inject
    Event<ShutdownDelayInitiatedEvent> shutdownDelay;

    @BeforeEach
    void drain() {
        shutdownDelay.fire(new ShutdownDelayInitiatedEvent()); // what SIGTERM starts; idempotent
    }

    /** Closed without an answer (Nginx retries it elsewhere), and still in tally.access, as a 503, with its id. */
    @Test
    void aHandedBackRequestIsClosedUnansweredYetTimedAndLogged() throws IOException {
        String requestId = Unique.name("pipeline-drain");
        try (LogCapture accessLog = LogCapture.of(AccessLog.CATEGORY)) {
            RawHttp.Answer answer = RawHttp.plain(InetAddress.getLoopbackAddress(), app.getPort(),
                    "GET /api/v1/counters/" + Unique.name("drained") + " HTTP/1.1\r\nHost: localhost\r\n"
                            + "X-Tally-Proxy-Retries: idempotent\r\nX-Request-Id: " + requestId + "\r\n\r\n");
            assertEquals(-1, answer.status(), "no answer: " + answer.raw());
            JsonNode line = JSON.readTree(accessLog.await(m -> m.contains(requestId), Duration.ofSeconds(5)));
            assertEquals(requestId, line.path("requestId").asText(), line.toString());
            assertEquals(503, line.path("status").asInt(), line.toString());
        }
    }

    /** Without the proxy's promise to retry, the live gate refuses the handshake itself; logged all the same. */
    @Test
    void aHandshakeRefusedWhileDrainingIsTaggedTimedAndLogged() {
        String requestId = Unique.name("pipeline-drain-live");
        try (LogCapture accessLog = LogCapture.of(AccessLog.CATEGORY)) {
            Response response = RequestPipelineTest.handshake(Unique.name("drained"), requestId);
            assertProblem(response, 503, tally("draining"));
            Passage passage = RequestPipelineTest.passage(response, requestId);
            passage.assertTagged();
            passage.assertTimedAndLogged(accessLog);
        }
    }
}
