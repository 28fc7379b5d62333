package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.increment;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** GET /api/v1/counters?prefix=&cursor=&limit= pages through every counter once, bounded by limit. */
@QuarkusTest
class CounterListingTest {

    @TestHTTPResource("/")
    URI app;

    private static String b64(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    /** Follows {@code next} from the first page to the end; returns name -> value, failing on any repeat. */
    private static Map<String, Long> listAll(String prefix, int limit) {
        Map<String, Long> seen = new HashMap<>();
        String cursor = null;
        // The keyspace is shared with every other test, so pages may be sparse; the bound only stops a runaway loop.
        for (int page = 0; page < 10_000; page++) {
            var request = given().queryParam("prefix", prefix).queryParam("limit", limit);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath body = request.when().get("/api/v1/counters")
                    .then().statusCode(200).contentType(ContentType.JSON)
                    .extract().jsonPath();
            List<Map<String, Object>> items = body.getList("items");
            assertTrue(items.size() <= limit, "page " + page + " has " + items.size() + " items, limit " + limit);
            for (Map<String, Object> item : items) {
                String name = (String) item.get("name");
                assertTrue(name.startsWith(prefix), name + " does not start with " + prefix);
                Long previous = seen.put(name, ((Number) item.get("value")).longValue());
                assertEquals(null, previous, name + " listed twice");
            }
            cursor = body.getString("next");
            if (cursor == null) {
                return seen;
            }
        }
        return fail("the listing did not end");
    }

    @Test
    void pagesThroughEveryCounterWithAPrefixAtMostLimitPerPage() {
        String prefix = Unique.name("list") + "-";
        Http http = Http.at(app);
        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < 250; i++) {
            expected.put(prefix + i, (long) (i + 1));
        }
        Concurrently.run(250, 16, Duration.ofSeconds(120), i -> {
            HttpResponse<String> reply = http.post("/api/v1/counters/" + prefix + i + "/increment",
                    "{\"by\": " + (i + 1) + "}");
            assertEquals(200, reply.statusCode(), reply.body());
            return reply;
        });

        assertEquals(expected, listAll(prefix, 7));
        // The default and the maximum page sizes see the same set.
        assertEquals(expected, listAll(prefix, 1000));
    }

    @Test
    void thePrefixExcludesOtherCounters() {
        String base = Unique.name("prefix");
        increment(base + "-a-1", "{\"by\": 1}");
        increment(base + "-a-2", "{\"by\": 2}");
        increment(base + "-b-1", "{\"by\": 3}");
        increment(base + "-ab", "{\"by\": 4}");

        assertEquals(Map.of(base + "-a-1", 1L, base + "-a-2", 2L), listAll(base + "-a-", 7));
        assertEquals(Map.of(base + "-b-1", 3L), listAll(base + "-b", 7));
        assertEquals(Map.of(base + "-a-1", 1L, base + "-a-2", 2L, base + "-ab", 4L), listAll(base + "-a", 1));
    }

    @Test
    void aResetCounterIsNoLongerListed() {
        String prefix = Unique.name("list-reset") + "-";
        increment(prefix + "kept", "{\"by\": 5}");
        increment(prefix + "gone", "{\"by\": 6}");
        given().when().delete("/api/v1/counters/{name}", prefix + "gone").then().statusCode(204);
        assertEquals(Map.of(prefix + "kept", 5L), listAll(prefix, 7));
    }

    @Test
    void aPrefixThatMatchesNothingEndsWithAnEmptyListing() {
        assertEquals(Map.of(), listAll(Unique.name("nothing-here"), 7));
    }

    @ParameterizedTest(name = "[{index}] limit={0}")
    @ValueSource(strings = { "0", "1001", "-1", "abc", "1.5", "99999999999", " 5" })
    void aLimitOutside1To1000Is400(String limit) {
        assertProblem(given().queryParam("limit", limit).when().get("/api/v1/counters"), 400, tally("invalid-limit"));
    }

    @ParameterizedTest(name = "[{index}] cursor={0}")
    @ValueSource(strings = { "zzz", "!!!", "v1:0:0", "aGVsbG8", "djE6YWJjOjA", "djI6MDow", "djE6MDotMQ",
            "djE6MQ", "djI6MTYzODQ6MDow" })
    void aForgedCursorIs400(String cursor) {
        // Not base64 at all, then base64 of "hello", "v1:abc:0", "v2:0:0", "v1:0:-1", "v1:1" and
        // "v2:16384:0:0" (a slot past the last one, 16383).
        assertProblem(given().queryParam("cursor", cursor).when().get("/api/v1/counters"), 400,
                tally("invalid-cursor"));
    }

    @Test
    void aWellFormedCursorThatRedisCannotUseIs400NotA500() {
        // Same shape as an issued cursor, but the SCAN position is beyond any unsigned 64-bit cursor Redis hands out.
        // Found failing: Redis refuses it ("ERR invalid cursor") and the service answers 500.
        for (String cursor : List.of(b64("v1:99999999999999999999:0"), b64("v2:0:99999999999999999999:0"))) {
            assertProblem(given().queryParam("cursor", cursor).when().get("/api/v1/counters"), 400,
                    tally("invalid-cursor"));
        }
    }

    @Test
    void aCursorFromOneListingIsAcceptedAgain() {
        String prefix = Unique.name("cursor-again") + "-";
        for (int i = 0; i < 3; i++) {
            increment(prefix + i, "{}");
        }
        // A cursor is opaque but stable: asking for the same page twice gives the same answer.
        String cursor = given().queryParam("prefix", prefix).queryParam("limit", 1).when().get("/api/v1/counters")
                .then().statusCode(200).extract().jsonPath().getString("next");
        if (cursor != null) {
            var first = given().queryParam("prefix", prefix).queryParam("limit", 1).queryParam("cursor", cursor)
                    .when().get("/api/v1/counters").then().statusCode(200).extract().asString();
            var second = given().queryParam("prefix", prefix).queryParam("limit", 1).queryParam("cursor", cursor)
                    .when().get("/api/v1/counters").then().statusCode(200).extract().asString();
            assertEquals(first, second);
        }
    }

    @ParameterizedTest(name = "[{index}] prefix={0}")
    @ValueSource(strings = { "a b", "a*", "a?", "[a]", "{c:x}", "a/b", "ü", "back\\slash" })
    void anInvalidPrefixIs400(String prefix) {
        assertProblem(given().queryParam("prefix", prefix).when().get("/api/v1/counters"), 400,
                tally("invalid-counter-prefix"));
    }

    @Test
    void aPrefixOf201CharactersIs400() {
        assertProblem(given().queryParam("prefix", "p".repeat(201)).when().get("/api/v1/counters"), 400,
                tally("invalid-counter-prefix"));
    }
}
