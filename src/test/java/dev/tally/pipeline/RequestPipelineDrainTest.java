package dev.tally.pipeline;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.Unique;
import dev.tally.web.AccessLog;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The drain hand-back after tagging and timing, on an application of its own (a drain is never undone): the 503
 * that sends Nginx to another replica is tagged, timed and logged, and closes the connection.
 */
@QuarkusTest
@TestProfile(RequestPipelineDrainTest.Draining.class)
class RequestPipelineDrainTest {

    /** A profile only so that this class gets its own application to drain. */
    public static class Draining implements QuarkusTestProfile {
    }

    @TestHTTPResource("/")
    URI app;

    @Inject
    Event<ShutdownDelayInitiatedEvent> shutdownDelay;

    @BeforeEach
    void drain() {
        shutdownDelay.fire(new ShutdownDelayInitiatedEvent()); // what SIGTERM starts; idempotent
    }

    @Test
    void aHandedBackRequestIsTaggedTimedAndLogged() {
        String requestId = Unique.name("pipeline-drain");
        try (LogCapture accessLog = LogCapture.of(AccessLog.CATEGORY)) {
            HttpResponse<String> response = Http.at(app).get("/api/v1/counters/" + Unique.name("drained"),
                    "X-Tally-Proxy-Retries", "idempotent", "X-Request-Id", requestId);
            assertProblem(response, 503, tally("draining"));
            Passage passage = RequestPipelineTest.passage(response, requestId);
            assertEquals("close", passage.headers().get("connection"), "draining closes connections");
            passage.assertTagged();
            passage.assertTimedAndLogged(accessLog);
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
