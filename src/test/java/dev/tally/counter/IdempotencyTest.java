package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.increment;
import static dev.tally.counter.CounterResourceTest.value;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The same Idempotency-Key for the same counter counts once and replays the first result. */
@QuarkusTest
class IdempotencyTest {

    private static final String REPLAYED = "Idempotent-Replayed";

    @TestHTTPResource("/")
    URI app;

    private static Response incrementOnce(String name, String key, String body) {
        return given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/counters/{name}/increment", name);
    }

    @Test
    void aReplayReturnsTheFirstValueAndCountsOnce() {
        String name = Unique.name("idem");
        String key = UUID.randomUUID().toString();
        increment(name, "{\"by\": 100}");

        incrementOnce(name, key, "{\"by\": 5}").then().statusCode(200)
                .header(REPLAYED, "false").body("name", equalTo(name)).body("value", equalTo(105));
        // Another client moves the counter on; the replay still answers what the first request got.
        increment(name, "{\"by\": 1}");
        for (int i = 0; i < 3; i++) {
            incrementOnce(name, key, "{\"by\": 5}").then().statusCode(200)
                    .header(REPLAYED, "true").body("value", equalTo(105));
        }
        assertEquals(106, value(name));
    }

    @Test
    void theDefaultAmountAndAnExplicitOneAreTheSameRequest() {
        String name = Unique.name("idem-default");
        String key = UUID.randomUUID().toString();
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).when().post("/api/v1/counters/{name}/increment", name)
                .then().statusCode(200).header(REPLAYED, "false").body("value", equalTo(1));
        incrementOnce(name, key, "{\"by\": 1}").then().statusCode(200)
                .header(REPLAYED, "true").body("value", equalTo(1));
        incrementOnce(name, key, "{}").then().statusCode(200).header(REPLAYED, "true").body("value", equalTo(1));
        assertEquals(1, value(name));
    }

    @Test
    void theSameKeyWithADifferentAmountIs422AndCountsNothing() {
        String name = Unique.name("idem-reused");
        String key = UUID.randomUUID().toString();
        incrementOnce(name, key, "{\"by\": 2}").then().statusCode(200).body("value", equalTo(2));

        JsonNode problem = assertProblem(incrementOnce(name, key, "{\"by\": 3}"), 422,
                tally("idempotency-key-reused"));
        assertTrue(problem.get("detail").asText().contains("by 2"), problem.toString());
        assertProblem(incrementOnce(name, key, "{\"by\": -2}"), 422, tally("idempotency-key-reused"));
        assertEquals(2, value(name));
        // The original request can still be replayed.
        incrementOnce(name, key, "{\"by\": 2}").then().statusCode(200).header(REPLAYED, "true");
    }

    @Test
    void keysAreScopedToTheirCounter() {
        String a = Unique.name("idem-scope-a");
        String b = Unique.name("idem-scope-b");
        String key = UUID.randomUUID().toString();
        incrementOnce(a, key, "{\"by\": 4}").then().statusCode(200).header(REPLAYED, "false");
        incrementOnce(b, key, "{\"by\": 9}").then().statusCode(200).header(REPLAYED, "false")
                .body("value", equalTo(9));
        assertEquals(4, value(a));
        assertEquals(9, value(b));
    }

    @Test
    void aPlainIncrementCarriesNoReplayHeader() {
        given().contentType(ContentType.JSON).body("{}")
                .when().post("/api/v1/counters/{name}/increment", Unique.name("no-key"))
                .then().statusCode(200).header(REPLAYED, org.hamcrest.Matchers.nullValue());
    }

    @Test
    void everyAllowedKeyCharacterAndTheMaximumLengthWork() {
        String name = Unique.name("idem-chars");
        String key = "AZaz09._:+/=-" + "k".repeat(242);
        assertEquals(255, key.length());
        incrementOnce(name, key, "{}").then().statusCode(200).header(REPLAYED, "false");
        incrementOnce(name, key, "{}").then().statusCode(200).header(REPLAYED, "true").body("value", equalTo(1));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = { "{x}", "a{b", "a}b", "with space", "star*", "quest?", "[br]", "back\\slash", "ünï",
            "tab\tin" })
    void invalidKeysAre400AndCountNothing(String key) {
        String name = Unique.name("idem-bad-key");
        assertProblem(incrementOnce(name, key, "{}"), 400, tally("invalid-idempotency-key"));
        assertEquals(0, value(name));
    }

    @Test
    void anEmptyKeyIs400NotSilentlyIgnored() {
        // Found failing: an empty Idempotency-Key is treated as no key, so the request counts without protection.
        String name = Unique.name("idem-empty-key");
        assertProblem(incrementOnce(name, "", "{}"), 400, tally("invalid-idempotency-key"));
        assertEquals(0, value(name));
    }

    @Test
    void aKeyOf256CharactersIs400() {
        String name = Unique.name("idem-long-key");
        assertProblem(incrementOnce(name, "k".repeat(256), "{}"), 400, tally("invalid-idempotency-key"));
        assertEquals(0, value(name));
    }

    @Test
    void aHundredConcurrentRequestsWithOneKeyCountExactlyOnce() {
        String name = Unique.name("idem-race");
        String key = UUID.randomUUID().toString();
        Http http = Http.at(app);
        String path = "/api/v1/counters/" + name + "/increment";

        List<HttpResponse<String>> replies = Concurrently.run(100, 100, Duration.ofSeconds(120),
                i -> http.post(path, "{\"by\": 7}", "Idempotency-Key", key));

        Map<String, Integer> replayed = new TreeMap<>();
        for (HttpResponse<String> reply : replies) {
            assertEquals(200, reply.statusCode(), reply.body());
            assertEquals(7, JsonPath.from(reply.body()).getLong("value"), reply.body());
            replayed.merge(reply.headers().firstValue(REPLAYED).orElse("missing"), 1, Integer::sum);
        }
        assertEquals(Map.of("false", 1, "true", 99), replayed, "exactly one request counted");
        assertEquals(7, value(name));
    }
}
