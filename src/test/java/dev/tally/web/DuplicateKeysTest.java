package dev.tally.web;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tally.testsupport.Unique;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * A JSON object that names a key twice is ambiguous (which one counts depends on the parser), so every endpoint
 * that reads JSON refuses it with a 400 {@code malformed-json} problem, at any depth, and acts on nothing.
 */
@QuarkusTest
class DuplicateKeysTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "{\"by\":1,\"by\":1000000}", "{\"by\":null,\"by\":5}" })
    void anIncrementWithADuplicateKeyIs400AndCountsNothing(String body) {
        String name = Unique.name("dup");
        assertProblem(given().contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/counters/{name}/increment", name), 400, tally("malformed-json"));
        assertEquals(0L, given().when().get("/api/v1/counters/{name}", name).then().statusCode(200)
                .extract().jsonPath().getLong("value"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":2}}" })
    void aSessionWithADuplicateKeyIs400(String body) {
        assertProblem(given().contentType(ContentType.JSON).body(body).when().post("/api/v1/sessions"), 400,
                tally("malformed-json"));
        String cookie = given().contentType(ContentType.JSON).body("{\"a\":0}").when().post("/api/v1/sessions")
                .then().statusCode(201).extract().cookie("__Host-TALLY_SESSION");
        assertProblem(given().cookie("__Host-TALLY_SESSION", cookie).contentType("application/merge-patch+json").body(body)
                .when().patch("/api/v1/sessions/current"), 400, tally("malformed-json"));
        given().cookie("__Host-TALLY_SESSION", cookie).when().get("/api/v1/sessions/current").then().statusCode(200)
                .body("attributes.a", org.hamcrest.Matchers.equalTo(0));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "{\"type\":\"noop\",\"type\":\"sleep\",\"payload\":{}}",
            "{\"type\":\"sleep\",\"payload\":{\"ms\":5,\"ms\":10000}}" })
    void aJobWithADuplicateKeyIs400(String body) {
        assertProblem(given().contentType(ContentType.JSON).body(body).when().post("/api/v1/jobs"), 400,
                tally("malformed-json"));
    }
}
