package dev.tally.counter;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Increment, read and reset one counter; every body form that means "by 1". */
@QuarkusTest
class CounterResourceTest {

    @TestHTTPResource("/")
    URI app;

    static long increment(String name, String jsonBody) {
        return given().contentType(ContentType.JSON).body(jsonBody)
                .when().post("/api/v1/counters/{name}/increment", name)
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("name", equalTo(name))
                .extract().jsonPath().getLong("value");
    }

    static long value(String name) {
        JsonPath body = given().when().get("/api/v1/counters/{name}", name)
                .then().statusCode(200).contentType(ContentType.JSON)
                .extract().jsonPath();
        assertEquals(name, body.getString("name"));
        return body.getLong("value");
    }

    @Test
    void incrementsByOneByDefaultAndReturnsTheNewValue() {
        String name = Unique.name("default");
        assertEquals(1, increment(name, "{}"));
        assertEquals(2, increment(name, "{}"));
        assertEquals(2, value(name));
    }

    @Test
    void incrementsByAGivenAmountIncludingNegativeAndZero() {
        String name = Unique.name("by");
        assertEquals(5, increment(name, "{\"by\": 5}"));
        assertEquals(-7, increment(name, "{\"by\": -12}"));
        assertEquals(-7, increment(name, "{\"by\": 0}"));
        assertEquals(-7, value(name));
    }

    @Test
    void emptyObjectAndNullByMeanOne() {
        String name = Unique.name("null-by");
        assertEquals(1, increment(name, "{}"));
        assertEquals(2, increment(name, "{\"by\": null}"));
        assertEquals(2, value(name));
    }

    @Test
    void emptyBodyMeansOneWithOrWithoutContentType() {
        String name = Unique.name("empty-body");
        Http http = Http.at(app);
        String path = "/api/v1/counters/" + name + "/increment";

        HttpResponse<String> withoutType = http.post(path, null);
        assertEquals(200, withoutType.statusCode(), withoutType.body());
        assertEquals(1, JsonPath.from(withoutType.body()).getLong("value"));

        HttpResponse<String> withType = http.send(http.request(path).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, withType.statusCode(), withType.body());
        assertEquals(2, JsonPath.from(withType.body()).getLong("value"));
        assertEquals(2, value(name));
    }

    @Test
    void unknownCounterReadsAsZero() {
        String name = Unique.name("never-written");
        given().when().get("/api/v1/counters/{name}", name)
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("name", equalTo(name))
                .body("value", equalTo(0));
    }

    @Test
    void resetAnswers204ThenTheCounterReadsZeroAndCountsFromScratch() {
        String name = Unique.name("reset");
        increment(name, "{\"by\": 41}");
        given().when().delete("/api/v1/counters/{name}", name)
                .then().statusCode(204).body(emptyString());
        assertEquals(0, value(name));
        assertEquals(1, increment(name, "{}"));
    }

    @Test
    void resetOfAnUnknownCounterIsAlso204() {
        given().when().delete("/api/v1/counters/{name}", Unique.name("reset-unknown"))
                .then().statusCode(204);
    }

    @Test
    void countersAreIndependent() {
        String a = Unique.name("independent-a");
        String b = Unique.name("independent-b");
        increment(a, "{\"by\": 3}");
        increment(b, "{\"by\": 4}");
        assertEquals(3, value(a));
        assertEquals(4, value(b));
    }

    @Test
    void valuesBeyondDoublePrecisionStayExact() {
        // 2^53 + 1 is the first integer a double cannot hold: a JSON or Lua detour through doubles would round it.
        String name = Unique.name("exact");
        assertEquals(9007199254740993L, increment(name, "{\"by\": 9007199254740993}"));
        given().when().get("/api/v1/counters/{name}", name)
                .then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("\"value\":9007199254740993"));
    }

    @Test
    void anAmountOutsideTheSigned64BitRangeIsA400() {
        String name = Unique.name("too-big-by");
        assertProblem(given().contentType(ContentType.JSON).body("{\"by\": 9223372036854775808}")
                .when().post("/api/v1/counters/{name}/increment", name), 400, tally("malformed-json"));
        assertEquals(0, value(name));
    }
}
