package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.value;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.testsupport.Unique;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * A body that is not {@code {"by": <signed 64-bit integer or null>}} is a 400 problem with a useful detail, never
 * coerced or truncated, never counted, and never a stack trace.
 */
@QuarkusTest
class IncrementBodyTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{\"by\": 1.5}", "{\"by\": 1.0}", "{\"by\": 1e3}", "{\"by\": \"5\"}", "{\"by\": true}", "{\"by\": [1]}",
            "{\"by\": {\"n\": 1}}", "[]", "[1]", "5", "\"5\"", "true",
            "{\"bye\": 1}", "{\"by\": 1, \"extra\": 2}",
            "{\"by\": ", "{by: 1}", "{'by': 1}", "not json", "{\"by\": 1,}",
            "{\"by\": 1} trailing", "{\"by\": 1}{\"by\": 2}", "{\"by\": 1}]",
            "{\"by\": 9223372036854775808}", "{\"by\": -9223372036854775809}" })
    void wrongBodiesAre400WithADetailAndNothingIsCounted(String body) {
        String name = Unique.name("bad-body");
        assertProblem(given().contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/counters/{name}/increment", name), 400, tally("malformed-json"));
        assertEquals(0, value(name));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "{\"bye\": 1}", "{\"by\": 1, \"extra\": 2}" })
    void anUnknownFieldIsNamedInTheDetail(String body) {
        JsonNode problem = assertProblem(given().contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/counters/{name}/increment", Unique.name("unknown-field")), 400,
                tally("malformed-json"));
        String field = body.contains("bye") ? "bye" : "extra";
        assertEquals("Unknown field '" + field + "'", problem.get("detail").asText());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "{\"by\": 1.5}", "{\"by\": \"5\"}", "{\"by\": true}" })
    void aWrongTypeNamesTheField(String body) {
        JsonNode problem = assertProblem(given().contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/counters/{name}/increment", Unique.name("wrong-type")), 400,
                tally("malformed-json"));
        assertTrue(problem.get("detail").asText().contains("'by'"), problem.toString());
    }
}
