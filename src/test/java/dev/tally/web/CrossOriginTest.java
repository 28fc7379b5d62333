package dev.tally.web;

import static dev.tally.testsupport.Problems.GENERIC;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The app port answers CORS for exactly the origins of {@code tally.cors.origins}: an allowed origin gets the
 * headers on its answers, refusals of the pipeline included, and its preflight (no key) is allowed the headers the
 * API reads; another origin gets none of them, and a 403 problem. ({@link CrossOriginClosedTest}: none configured.)
 */
@QuarkusTest
@TestProfile(CrossOriginTest.SwaggerOrigin.class)
class CrossOriginTest {

    static final String SWAGGER = "http://swagger.test:9000";

    /** One allowed origin, and the production scopes, so that an anonymous write is refused. */
    public static class SwaggerOrigin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tally.cors.origins", SWAGGER + ",http://other-console.test", "tally.auth.anonymous-scopes",
                    "counters:read");
        }
    }

    @TestHTTPResource("/")
    URI app;

    private String counter() {
        return app.resolve("/api/v1/counters/" + Unique.name("cors")).toString();
    }

    @Test
    void anAllowedOriginGetsTheCorsHeadersAndReadsWhatTheApiSends() {
        Response response = given().header("Origin", SWAGGER).get(counter());
        assertEquals(200, response.statusCode(), response.asString());
        assertEquals(SWAGGER, response.header("Access-Control-Allow-Origin"));
        assertEquals(Set.of("Location", "Retry-After", "RateLimit-Policy", "RateLimit", "X-Request-Id",
                "X-Tally-Instance", "Idempotent-Replayed", "Server-Timing"),
                list(response.header("Access-Control-Expose-Headers")));
        // The session cookie goes with a listed origin's requests (Swagger UI sends them with credentials).
        assertEquals("true", response.header("Access-Control-Allow-Credentials"));
        assertTrue(response.headers().getValues("Vary").stream().anyMatch(vary -> vary.toLowerCase().contains("origin")),
                "a cache keeps answers per origin: " + response.headers());
    }

    @Test
    void aPreflightWithAuthorizationIsAllowedWithoutAKey() {
        Response response = given().header("Origin", SWAGGER).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
                .options(counter() + "/increment");
        assertEquals(204, response.statusCode(), response.asString());
        assertEquals(SWAGGER, response.header("Access-Control-Allow-Origin"));
        assertTrue(list(response.header("Access-Control-Allow-Methods")).containsAll(Set.of("GET", "POST", "PATCH",
                "DELETE")), response.header("Access-Control-Allow-Methods"));
        Set<String> headers = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        headers.addAll(list(response.header("Access-Control-Allow-Headers")));
        assertTrue(headers.containsAll(Set.of("Authorization", "Content-Type", "Idempotency-Key")), headers.toString());
        assertEquals("600", response.header("Access-Control-Max-Age"));
        assertEquals("true", response.header("Access-Control-Allow-Credentials"));
        assertTrue(response.header("X-Request-Id") != null, "tagged like every answer");
    }

    /** The pipeline refuses a bad key before any resource: the browser must still be able to read why. */
    @Test
    void aRefusalOfThePipelineCarriesTheHeaders() {
        Response badKey = given().header("Origin", SWAGGER).header("Authorization", "Bearer tally.nope.nope")
                .post(counter() + "/increment");
        assertProblem(badKey, 401, tally("invalid-api-key"));
        assertEquals(SWAGGER, badKey.header("Access-Control-Allow-Origin"));
        Response noKey = given().header("Origin", SWAGGER).post(counter() + "/increment");
        assertProblem(noKey, 401, tally("api-key-required"));
        assertEquals(SWAGGER, noKey.header("Access-Control-Allow-Origin"));
    }

    @Test
    void anotherOriginGetsNoCorsHeadersAndA403() {
        for (String origin : new String[] { "http://evil.test", "http://swagger.test:9001", "null" }) {
            Response response = given().header("Origin", origin).get(counter());
            assertProblem(response, 403, GENERIC);
            assertNull(response.header("Access-Control-Allow-Origin"), origin);
            assertNull(response.header("Access-Control-Expose-Headers"), origin);
            assertNull(response.header("Access-Control-Allow-Credentials"), origin);
            Response preflight = given().header("Origin", origin).header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization").options(counter() + "/increment");
            assertEquals(403, preflight.statusCode(), origin);
            assertNull(preflight.header("Access-Control-Allow-Origin"), origin);
            assertNull(preflight.header("Access-Control-Allow-Headers"), origin);
        }
    }

    @Test
    void aRequestWithoutOriginIsNotCorsAndPasses() {
        Response response = given().get(counter());
        assertEquals(200, response.statusCode());
        assertNull(response.header("Access-Control-Allow-Origin"));
    }

    static Set<String> list(String header) {
        assertTrue(header != null, "the header is present");
        Set<String> items = new TreeSet<>();
        Arrays.stream(header.split(",")).map(String::trim).forEach(items::add);
        return items;
    }
}
