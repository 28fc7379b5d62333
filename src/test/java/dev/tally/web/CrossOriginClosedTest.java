package dev.tally.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * By default ({@code tally.cors.origins} unset) the app port answers no CORS: a browser origin, even the management
 * port's own, gets no header that would let its script read an answer, and its preflight allows nothing.
 */
@QuarkusTest
class CrossOriginClosedTest {

    @TestHTTPResource("/")
    URI app;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Test
    void noOriginIsAllowedUnlessConfigured() {
        String origin = "http://" + management.getHost() + ":" + management.getPort();
        String counter = app.resolve("/api/v1/counters/" + Unique.name("closed")).toString();
        var read = given().header("Origin", origin).get(counter);
        assertEquals(200, read.statusCode(), "not refused: simply not shared with the page");
        assertNull(read.header("Access-Control-Allow-Origin"));
        var preflight = given().header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization").options(counter + "/increment");
        assertNull(preflight.header("Access-Control-Allow-Origin"), "status " + preflight.statusCode());
        assertNull(preflight.header("Access-Control-Allow-Headers"));
        assertNull(preflight.header("Access-Control-Allow-Methods"));
    }
}
