package dev.tally.redis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Unique;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * What the API leaves in the real Redis: the key names the design promises (prefix, Cluster hash tags), the
 * retention of idempotency records and sessions, and that listing ignores keys that are not counters.
 */
@QuarkusTest
class KeyLayoutTest {

    @Inject
    RedisDataSource redis;

    private static void increment(String name, String body, String idempotencyKey) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (idempotencyKey != null) {
            request = request.header("Idempotency-Key", idempotencyKey);
        }
        request.when().post("/api/v1/counters/{name}/increment", name).then().statusCode(200);
    }

    private Map<String, String> hash(String key) {
        return redis.hash(String.class).hgetall(key);
    }

    @Test
    void aCounterIsOneStringKeyWithItsNameInAHashTag() {
        String name = Unique.name("layout");
        increment(name, "{\"by\": 42}", null);
        String key = "tally:{c:" + name + "}:value";
        assertEquals("string", redis.execute("TYPE", key).toString());
        assertEquals("42", redis.execute("GET", key).toString());
        assertEquals(-1, redis.execute("PTTL", key).toLong(), "counters do not expire");

        given().when().delete("/api/v1/counters/{name}", name).then().statusCode(204);
        assertEquals(0, redis.execute("EXISTS", key).toInteger());
    }

    /** Issue 19: a reset of a counter that never existed wrote a permanent version key. */
    @Test
    void aResetWritesNothingForAnUnknownCounterAndLeavesNoKeyOfAKnownOne() {
        String never = Unique.name("layout-never");
        given().when().delete("/api/v1/counters/{name}", never).then().statusCode(204);
        assertEquals(0, counterKeys(never).size(), counterKeys(never).toString());

        String name = Unique.name("layout-reset");
        increment(name, "{\"by\": 1}", null);
        String version = "tally:{c:" + name + "}:version";
        assertEquals(-1, redis.execute("PTTL", version).toLong(), "a counter's version lives as long as it does");
        long first = redis.execute("GET", version).toLong();
        given().when().delete("/api/v1/counters/{name}", name).then().statusCode(204);
        assertEquals(List.of(), counterKeys(name));

        // Re-created: its version starts again above the one it ended with (live feeds order by it).
        increment(name, "{\"by\": 1}", null);
        assertTrue(redis.execute("GET", version).toLong() > first + 1, "version restarts from Redis' clock");
    }

    private List<String> counterKeys(String name) {
        List<String> found = new java.util.ArrayList<>();
        redis.execute("SCAN", "0", "MATCH", "tally:{c:" + name + "}*", "COUNT", "100000").get(1)
                .forEach(key -> found.add(key.toString()));
        return found;
    }

    @Test
    void anIdempotencyRecordSharesTheCountersHashTagAndExpiresAfterTheRetention() {
        String name = Unique.name("layout-idem");
        String idempotencyKey = Unique.name("key");
        increment(name, "{\"by\": 3}", idempotencyKey);
        // Per caller (auth/Caller): the test profile's callers are anonymous.
        String record = "tally:{c:" + name + "}:idem:anonymous:" + idempotencyKey;
        assertEquals(Map.of("by", "3", "value", "3"), hash(record));
        long pttl = redis.execute("PTTL", record).toLong();
        long retention = Duration.ofHours(24).toMillis();
        assertTrue(pttl > retention - 60_000 && pttl <= retention, "PTTL " + pttl + " is the 24 h retention");
    }

    @Test
    void aSessionIsOneHashWithMetadataAndJsonAttributes() {
        io.restassured.response.Response created = given().contentType(ContentType.JSON)
                .body("{\"theme\":\"dark\",\"n\":[1,2]}").when().post("/api/v1/sessions");
        created.then().statusCode(201);
        String id = created.getCookie("__Host-TALLY_SESSION");
        given().cookie("__Host-TALLY_SESSION", id).when().post("/api/v1/sessions/current/visits").then().statusCode(200);

        String key = "tally:{s:" + id + "}";
        Map<String, String> fields = hash(key);
        assertEquals("\"dark\"", fields.get("a:theme"));
        assertEquals("[1,2]", fields.get("a:n"));
        assertEquals("1", fields.get("m:visits"));
        assertTrue(fields.get("m:created").matches("\\d{13}"), fields.toString());
        assertEquals(4, fields.size(), fields.toString());
        long pttl = redis.execute("PTTL", key).toLong();
        assertTrue(pttl > Duration.ofMinutes(29).toMillis() && pttl <= Duration.ofMinutes(30).toMillis(),
                "PTTL " + pttl);
    }

    @Test
    void listingSkipsKeysThatAreNotValidCounters() {
        String prefix = Unique.name("foreign") + "-";
        increment(prefix + "real", "{\"by\": 1}", null);
        increment(prefix + "with-key", "{\"by\": 2}", Unique.name("key"));
        // Keys that look like counters to a SCAN pattern but whose "names" break the naming rules.
        redis.execute("SET", "tally:{c:" + prefix + "bad name}:value", "5");
        redis.execute("SET", "tally:{c:" + prefix + "x}:valuex", "6");
        try {
            List<Map<String, Object>> items = given().queryParam("prefix", prefix).queryParam("limit", 1000)
                    .when().get("/api/v1/counters")
                    .then().statusCode(200).extract().jsonPath().getList("items");
            Map<String, Number> listed = new HashMap<>();
            items.forEach(item -> listed.put((String) item.get("name"), (Number) item.get("value")));
            assertEquals(Map.of(prefix + "real", 1, prefix + "with-key", 2), listed);
        } finally {
            redis.execute("DEL", "tally:{c:" + prefix + "bad name}:value", "tally:{c:" + prefix + "x}:valuex");
        }
    }

    @Test
    void keysOutsideTheTallyPrefixAreNeverTouched() {
        String name = Unique.name("outside");
        String foreign = "other-app:{c:" + name + "}:value";
        redis.execute("SET", foreign, "99");
        try {
            given().when().get("/api/v1/counters/{name}", name).then().statusCode(200).body("value", equalTo(0));
            increment(name, "{\"by\": 1}", null);
            given().when().delete("/api/v1/counters/{name}", name).then().statusCode(204);
            assertEquals("99", redis.execute("GET", foreign).toString());
        } finally {
            redis.execute("DEL", foreign);
        }
        assertNull(redis.execute("GET", "tally:{c:" + name + "}:value"));
    }
}
