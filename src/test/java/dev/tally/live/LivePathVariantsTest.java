package dev.tally.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.PrometheusMetrics;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every spelling of a live path that the WebSocket endpoint might match (the router matches the normalized path,
 * with or without a trailing slash) passes the same handshake gate: a bad name is refused before any upgrade,
 * whatever the spelling, and a good one, when upgraded, only ever gets JSON frames. Through the JDK's WebSocket
 * client, which sends the path as written. {@code NAME} stands for the counter name in each variant.
 */
@QuarkusTest
class LivePathVariantsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private String url(String variant, String name) {
        return app.toString().replaceFirst("^http", "ws").replaceFirst("/$", "") + variant.replace("NAME", name);
    }

    /** Spellings of the live path: slashes, dot segments, percent-encoded letters and slashes, parameters, case. */
    static List<String> spellings() {
        return List.of(
                "/api/v1/counters/NAME/live",
                "/api/v1/counters/NAME/live/",
                "/api/v1/counters/NAME/live//",
                "//api/v1/counters/NAME/live",
                "/api/v1//counters/NAME/live",
                "/api/v1/counters//NAME/live",
                "/api/v1/counters/NAME//live",
                "/api/v1/counters/NAME/./live",
                "/api/v1/counters/NAME/live/.",
                "/api/v1/counters/other/../NAME/live",
                "/api/v1/./counters/NAME/live/",
                "/api/v1/counters/NAME/%6Cive",
                "/api/v1/counters/NAME/%6cive/",
                "/%61pi/v1/counters/NAME/live",
                "/api/v1/counters/NAME/live%2F",
                "/api/v1/counters/NAME%2F/live",
                "/api/v1/counters/NAME/live?x=1",
                "/api/v1/counters/NAME/live/?x=1",
                "/api/v1/counters/NAME/live;x=1",
                "/api/v1/counters/NAME;x=1/live",
                "/api/v1/counters/NAME/LIVE");
    }

    @ParameterizedTest
    @MethodSource("spellings")
    void aBadNameIsRefusedBeforeTheUpgradeInEverySpelling(String variant) {
        for (String bad : List.of("%22x%7D", "a%20b", "a%2Fb", "%2E%2E", "a*b", "%7Bc:x%7D")) {
            String url = url(variant, bad);
            // refusal() fails the test on an upgrade; what else answers (a 400 from the gate, a 404, or a counter
            // read when dot segments leave a plain counter path) must not be a server error.
            int status = LiveSocket.refusal(url);
            assertTrue(status < 500, url + " answered " + status);
        }
    }

    @ParameterizedTest
    @MethodSource("spellings")
    void aGoodNameInAnyAcceptedSpellingGetsOnlyJsonFramesNamingIt(String variant) {
        String name = Unique.name("variant");
        String url = url(variant, name);
        try (LiveSocket socket = LiveSocket.open(url, name, null)) {
            socket.awaitLast(0, WAIT);
            assertEquals(List.of(), socket.malformed(), url + " sent frames that are not the message");
        } catch (CompletionException refused) {
            assertTrue(refused.getCause() instanceof WebSocketHandshakeException, url + ": " + refused);
            int status = ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode();
            assertTrue(status < 500, url + " answered " + status);
        }
        new PrometheusMetrics(management).await("tally_live_sockets_open", 0, WAIT);
    }
}
