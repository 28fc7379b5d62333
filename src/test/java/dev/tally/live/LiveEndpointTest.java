package dev.tally.live;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.PrometheusMetrics;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The live endpoint on one instance with a real Redis: first value, changes, refusals at the handshake, metrics. */
@QuarkusTest
class LiveEndpointTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    private static final int CAP = 4; // %test.tally.live.max-sockets

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private PrometheusMetrics metrics() {
        return new PrometheusMetrics(management);
    }

    String live(String name) {
        return app.toString().replaceFirst("^http", "ws") + "api/v1/counters/" + name + "/live";
    }

    static void increment(String name, long by) {
        given().contentType(ContentType.JSON).body("{\"by\":" + by + "}")
                .post("/api/v1/counters/{name}/increment", name).then().statusCode(200);
    }

    /** The counter's value as the API reads it now. */
    static long value(String name) {
        return given().get("/api/v1/counters/{name}", name).then().statusCode(200).extract().jsonPath()
                .getLong("value");
    }

    @BeforeEach
    void noSocketsLeftOpen() {
        metrics().await("tally_live_sockets_open", 0, WAIT);
    }

    @Test
    void aNewSocketGetsTheCurrentValueThenEveryChangeIncludingResetsAndIdempotentIncrements() {
        String name = Unique.name("live-first");
        increment(name, 41);
        try (LiveSocket socket = LiveSocket.open(live(name), name, null)) {
            socket.awaitLast(41, WAIT);
            increment(name, 1);
            socket.awaitLast(42, WAIT);
            increment(name, -50);
            socket.awaitLast(-8, WAIT);
            given().delete("/api/v1/counters/{name}", name).then().statusCode(204);
            socket.awaitLast(0, WAIT);
            for (int i = 0; i < 2; i++) { // the replay changes nothing and announces nothing
                given().header("Idempotency-Key", "once").contentType(ContentType.JSON).body("{}").post("/api/v1/counters/{name}/increment", name)
                        .then().statusCode(200).body("value", equalTo(1));
            }
            increment(name, 2);
            socket.awaitLast(3, WAIT);
            assertEquals(List.of(41L, 42L, -8L, 0L, 1L, 3L), socket.values(), "each change once, in order");
            assertTrue(socket.malformed().isEmpty(), socket.malformed().toString());
        }
    }

    @Test
    void anUnknownCounterStartsAtZero() {
        String name = Unique.name("live-new");
        try (LiveSocket socket = LiveSocket.open(live(name), name, null)) {
            socket.awaitLast(0, WAIT);
        }
    }

    /** A socket may stay open for hours; as an in-flight request it would be reported stuck once past the threshold. */
    @Test
    void anOpenSocketIsNotARequestInFlight() {
        String name = Unique.name("live-open");
        try (LiveSocket socket = LiveSocket.open(live(name), name, null)) {
            socket.awaitLast(0, WAIT);
            HttpResponse<String> listing = Http.at(URI.create(management.toString())).get("/ops/requests",
                    OpsToken.header());
            assertEquals(200, listing.statusCode(), listing.body());
            String inFlight = listing.body();
            // StuckRequestTest shows that this listing does list a request in flight; before the fix the
            // handshake stayed in it for the socket's whole life.
            assertFalse(inFlight.contains(name), "a live socket listed among requests in flight: " + inFlight);
        }
    }

    @Test
    void socketsOnOneCounterAllGetItsChanges() {
        String name = Unique.name("live-many");
        try (LiveSocket one = LiveSocket.open(live(name), name, null);
                LiveSocket two = LiveSocket.open(live(name), name, null)) {
            one.awaitLast(0, WAIT);
            two.awaitLast(0, WAIT);
            increment(name, 5);
            one.awaitLast(5, WAIT);
            two.awaitLast(5, WAIT);
        }
    }

    @Test
    void invalidNamesAreRefusedAtTheHandshakeWithAProblem() {
        assertEquals(400, LiveSocket.refusal(live("bad%20name")));
        assertEquals(400, LiveSocket.refusal(live("x".repeat(201))));
        given().header("Connection", "Upgrade").header("Upgrade", "websocket").header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .get("/api/v1/counters/{name}/live", "a*b")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:tally:problem:invalid-counter-name"));
        // control: the longest valid name is accepted
        String longest = "y".repeat(200);
        try (LiveSocket socket = LiveSocket.open(live(longest), longest, null)) {
            socket.awaitLast(0, WAIT);
        }
    }

    @Test
    void pastTheSocketCapHandshakesGetA503UntilASocketCloses() {
        String name = Unique.name("live-cap");
        List<LiveSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                sockets.add(LiveSocket.open(live(name), name, null));
            }
            metrics().await("tally_live_sockets_open", CAP, WAIT);
            assertEquals(503, LiveSocket.refusal(live(name)));
            given().header("Connection", "Upgrade").header("Upgrade", "websocket")
                    .header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                    .get("/api/v1/counters/{name}/live", name)
                    .then().statusCode(503).header("Retry-After", "5")
                    .body("type", equalTo("urn:tally:problem:live-sockets-exhausted"));
            sockets.forEach(socket -> assertFalse(socket.isClosed(), "sockets under the cap stay open"));

            sockets.remove(0).close();
            metrics().await("tally_live_sockets_open", CAP - 1, WAIT);
            sockets.add(LiveSocket.open(live(name), name, null));
            sockets.get(CAP - 1).awaitLast(0, WAIT);
        } finally {
            sockets.forEach(LiveSocket::close);
        }
    }

    @Test
    void metricsCountOpenSocketsAndMessagesSent() {
        String name = Unique.name("live-metrics");
        double sentBefore = metrics().value("tally_live_messages_sent_total");
        try (LiveSocket socket = LiveSocket.open(live(name), name, null)) {
            socket.awaitLast(0, WAIT);
            metrics().await("tally_live_sockets_open", 1, WAIT);
            increment(name, 1);
            socket.awaitLast(1, WAIT);
            metrics().awaitAtLeast("tally_live_messages_sent_total", sentBefore + 2, WAIT);
        }
        metrics().await("tally_live_sockets_open", 0, WAIT);
    }
}
