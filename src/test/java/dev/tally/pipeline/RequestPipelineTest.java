package dev.tally.pipeline;

import static dev.tally.testsupport.Problems.GENERIC;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Unique;
import dev.tally.web.AccessLog;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The stage order {@link RequestPipeline} declares, seen through behaviour: answers given by a stage early in the
 * pipeline still carry what the stages before it add. The drain hand-back is in {@link RequestPipelineDrainTest}
 * (draining cannot be undone, so it has an application of its own).
 */
@QuarkusTest
class RequestPipelineTest {

    @TestHTTPResource("/")
    URI app;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    /** Body limit after tagging and timing. */
    @Test
    void anOversizedBodyIsTaggedTimedAndLogged() {
        String requestId = Unique.name("pipeline-413");
        byte[] body = new byte[600 * 1024];
        Arrays.fill(body, (byte) ' ');
        try (LogCapture accessLog = LogCapture.of(AccessLog.CATEGORY)) {
            Http http = Http.at(app);
            HttpResponse<String> response = http.send(http.request("/api/v1/counters/" + Unique.name("big")
                    + "/increment").header("Content-Type", "application/json").header("X-Request-Id", requestId)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            assertProblem(response, 413, GENERIC);
            Passage passage = passage(response, requestId);
            passage.assertTagged();
            passage.assertTimedAndLogged(accessLog);
        }
    }

    /** The live handshake gate after tagging and timing: a refusal is an ordinary, logged request. */
    @Test
    void aRefusedHandshakeIsTaggedTimedAndLogged() {
        String requestId = Unique.name("pipeline-handshake");
        try (LogCapture accessLog = LogCapture.of(AccessLog.CATEGORY)) {
            Response response = handshake("a*b", requestId);
            assertProblem(response, 400, tally("invalid-counter-name"));
            Passage passage = passage(response, requestId);
            passage.assertTagged();
            passage.assertTimedAndLogged(accessLog);
        }
    }

    /**
     * Authentication after tagging and timing and before the handshake gate: a handshake with a bad name and an
     * invalid key is refused for the key (401), not the name (400), and the refusal is tagged, timed and logged.
     */
    @Test
    void anInvalidKeyIsRefusedBeforeTheHandshakeGateTaggedTimedAndLogged() {
        String requestId = Unique.name("pipeline-auth");
        try (LogCapture accessLog = LogCapture.of(AccessLog.CATEGORY)) {
            Response response = given().header("Connection", "Upgrade").header("Upgrade", "websocket")
                    .header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                    .header("X-Request-Id", requestId).header("Authorization", "Bearer not-a-key")
                    .get("/api/v1/counters/{name}/live", "a*b");
            assertProblem(response, 401, tally("invalid-api-key"));
            Passage passage = passage(response, requestId);
            passage.assertTagged();
            passage.assertTimedAndLogged(accessLog);
        }
    }

    /** An accepted handshake is handed over at the gate: a socket, not a request that ever ends in the log. */
    @Test
    void anAcceptedHandshakeWritesNoAccessLine() {
        String name = Unique.name("pipeline-socket");
        String controlId = Unique.name("pipeline-control");
        try (LogCapture accessLog = LogCapture.of(AccessLog.CATEGORY)) {
            try (LiveSocket socket = LiveSocket.open(app.toString().replaceFirst("^http", "ws")
                    + "api/v1/counters/" + name + "/live", name, null)) {
                socket.awaitLast(0, Duration.ofSeconds(20));
            }
            Pause.of(Duration.ofMillis(300)); // the socket's close reaches the server
            Http.at(app).get("/", "X-Request-Id", controlId);
            accessLog.await(m -> m.contains(controlId), Duration.ofSeconds(5)); // the log is being written
            assertFalse(accessLog.messages().stream().anyMatch(m -> m.contains("\"status\":101")),
                    "an access line for a socket: " + accessLog.messages());
        }
    }

    /** The management port: tagged, and its failures are problems (here: no such route), without timing. */
    @Test
    void theManagementPortTagsAndAnswersProblemsButDoesNotTime() {
        String requestId = Unique.name("pipeline-ops");
        try (LogCapture accessLog = LogCapture.of(AccessLog.CATEGORY)) {
            HttpResponse<String> missing = Http.at(management).withBearer(OpsToken.ofTestApplication())
                    .get("/ops/no-such-thing", "X-Request-Id", requestId);
            assertProblem(missing, 404, GENERIC);
            Passage passage = passage(missing, requestId);
            passage.assertTagged();
            assertFalse(passage.headers().containsKey("server-timing"), "management requests are not timed");

            HttpResponse<String> requests = Http.at(management).withBearer(OpsToken.ofTestApplication())
                    .get("/ops/requests", "X-Request-Id", requestId);
            assertEquals(200, requests.statusCode(), requests.body());
            passage(requests, requestId).assertTagged();
            assertFalse(accessLog.messages().stream().anyMatch(m -> m.contains(requestId)), "nor logged");
        }
    }

    /**
     * The ops token check after tagging and the ops response headers: a refusal carries the request id and is
     * neither cached nor sniffed; it comes before every route (here one that would read a body) and is not timed.
     */
    @Test
    void aRefusalForWantOfTheOpsTokenIsTaggedAndCarriesTheOpsHeaders() {
        String requestId = Unique.name("pipeline-ops-token");
        try (LogCapture accessLog = LogCapture.of(AccessLog.CATEGORY)) {
            Http http = Http.at(management);
            HttpResponse<String> refused = http.send(http.request("/ops/jobs/dead/x/redrive")
                    .header("X-Request-Id", requestId).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));
            assertProblem(refused, 401, tally("ops-token-required"));
            Passage passage = passage(refused, requestId);
            passage.assertTagged();
            assertEquals("no-store", passage.headers().get("cache-control"));
            assertEquals("nosniff", passage.headers().get("x-content-type-options"));
            assertFalse(passage.headers().containsKey("server-timing"), "management requests are not timed");
            assertFalse(accessLog.messages().stream().anyMatch(m -> m.contains(requestId)), "nor logged");
        }
    }

    static Response handshake(String name, String requestId) {
        return given().header("Connection", "Upgrade").header("Upgrade", "websocket")
                .header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .header("X-Request-Id", requestId)
                .get("/api/v1/counters/{name}/live", name);
    }

    static Passage passage(HttpResponse<?> response, String requestId) {
        Map<String, String> headers = new HashMap<>();
        response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        return new Passage(response.statusCode(), headers, requestId);
    }

    static Passage passage(Response response, String requestId) {
        Map<String, String> headers = new HashMap<>();
        response.headers().forEach(header -> headers.put(header.getName().toLowerCase(Locale.ROOT), header.getValue()));
        return new Passage(response.statusCode(), headers, requestId);
    }
}
