package dev.tally.counter;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** Names are [A-Za-z0-9._:-]{1,200}; anything else is a 400 invalid-counter-name on every counter route. */
@QuarkusTest
class CounterNameTest {

    private static final String INVALID = tally("invalid-counter-name");

    /** Paths are sent exactly as written (already percent-encoded where needed). */
    private static RequestSpecification raw() {
        return given().urlEncodingEnabled(false);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "a%20b", "bad%21name", "bad*name", "bad$name", "a,b", "a+b", "caf%C3%A9", "%7Bx%7D",
            "a%2Fb", "a%00b", "a%0Ab", "tab%09" })
    void invalidNamesAre400OnEveryRoute(String encodedName) {
        String base = "/api/v1/counters/" + encodedName;
        JsonNode problem = assertProblem(raw().when().get(base), 400, INVALID);
        assertEquals(base, problem.get("instance").asText());
        assertProblem(raw().contentType("application/json").body("{}").when().post(base + "/increment"), 400,
                INVALID);
        assertProblem(raw().when().delete(base), 400, INVALID);
    }

    @Test
    void aNameOf201CharactersIsRefused() {
        String name = "n".repeat(201);
        assertProblem(raw().when().get("/api/v1/counters/" + name), 400, INVALID);
        assertProblem(raw().contentType("application/json").body("{\"by\": 1}")
                .when().post("/api/v1/counters/" + name + "/increment"), 400, INVALID);
        assertProblem(raw().when().delete("/api/v1/counters/" + name), 400, INVALID);
    }

    @Test
    void aNameOf200CharactersIsAccepted() {
        String name = java.util.UUID.randomUUID() + "x".repeat(164);
        assertEquals(200, name.length());
        raw().contentType("application/json").body("{\"by\": 2}")
                .when().post("/api/v1/counters/" + name + "/increment")
                .then().statusCode(200).body("name", equalTo(name)).body("value", equalTo(2));
    }

    @Test
    void everyAllowedCharacterClassWorks() {
        String name = "Az09._:-" + java.util.UUID.randomUUID();
        raw().contentType("application/json").body("{}").when().post("/api/v1/counters/" + name + "/increment")
                .then().statusCode(200).body("name", equalTo(name)).body("value", equalTo(1));
        raw().when().get("/api/v1/counters/" + name).then().statusCode(200).body("value", equalTo(1));
    }

    @Test
    void aRefusedIncrementDoesNotCountAnywhere() {
        // "a b" must not be normalised into some valid name and counted there.
        raw().contentType("application/json").body("{}").when().post("/api/v1/counters/a%20b/increment")
                .then().statusCode(400);
        raw().when().get("/api/v1/counters/ab").then().statusCode(200);
        raw().when().get("/api/v1/counters/a_b").then().statusCode(200).body("value", equalTo(0));
    }
}
