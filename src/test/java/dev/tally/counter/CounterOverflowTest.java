package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.increment;
import static dev.tally.counter.CounterResourceTest.value;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.testsupport.Unique;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Values are signed 64-bit: leaving the range is a 409 problem and the counter keeps its value, never wraps. */
@QuarkusTest
class CounterOverflowTest {

    private static Response incrementBy(String name, long by, String idempotencyKey) {
        var request = given().contentType(ContentType.JSON).body("{\"by\": " + by + "}");
        if (idempotencyKey != null) {
            request = request.header("Idempotency-Key", idempotencyKey);
        }
        return request.when().post("/api/v1/counters/{name}/increment", name);
    }

    @Test
    void positiveOverflowIsA409AndTheValueIsUnchanged() {
        String name = Unique.name("overflow-up");
        assertEquals(Long.MAX_VALUE - 1, increment(name, "{\"by\": " + (Long.MAX_VALUE - 1) + "}"));

        JsonNode problem = assertProblem(incrementBy(name, 2, null), 409, tally("counter-overflow"));
        assertEquals("/api/v1/counters/" + name + "/increment", problem.get("instance").asText());
        assertEquals(Long.MAX_VALUE - 1, value(name));

        // Exactly reaching the bound is fine; one past it is not.
        assertEquals(Long.MAX_VALUE, increment(name, "{}"));
        assertProblem(incrementBy(name, 1, null), 409, tally("counter-overflow"));
        assertEquals(Long.MAX_VALUE, value(name));
    }

    @Test
    void negativeOverflowIsA409AndTheValueIsUnchanged() {
        String name = Unique.name("overflow-down");
        assertEquals(Long.MIN_VALUE + 1, increment(name, "{\"by\": " + (Long.MIN_VALUE + 1) + "}"));

        assertProblem(incrementBy(name, -2, null), 409, tally("counter-overflow"));
        assertEquals(Long.MIN_VALUE + 1, value(name));

        assertEquals(Long.MIN_VALUE, increment(name, "{\"by\": -1}"));
        assertProblem(incrementBy(name, -1, null), 409, tally("counter-overflow"));
        assertEquals(Long.MIN_VALUE, value(name));
    }

    @Test
    void anIdempotentIncrementThatWouldOverflowIsA409AndRecordsNothing() {
        String name = Unique.name("overflow-idem");
        increment(name, "{\"by\": " + Long.MAX_VALUE + "}");
        String key = Unique.name("key");

        assertProblem(incrementBy(name, 1, key), 409, tally("counter-overflow"));
        assertEquals(Long.MAX_VALUE, value(name));

        // The failed attempt left no record: a retry with the same key is refused again, not "replayed".
        assertProblem(incrementBy(name, 1, key), 409, tally("counter-overflow"));

        // After the counter is brought back into range, the same key counts for the first time.
        increment(name, "{\"by\": -10}");
        incrementBy(name, 1, key).then().statusCode(200)
                .header("Idempotent-Replayed", "false")
                .body(containsString("\"value\":" + (Long.MAX_VALUE - 9)));
    }
}
