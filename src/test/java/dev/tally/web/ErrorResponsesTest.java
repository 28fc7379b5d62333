package dev.tally.web;

import static dev.tally.testsupport.Problems.GENERIC;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Errors raised by routing and content negotiation have the same problem+json shape as Tally's own. */
@QuarkusTest
class ErrorResponsesTest {

    @TestHTTPResource("/")
    URI app;

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource({ "GET,/nope", "GET,/api", "GET,/api/v1", "GET,/api/v2/counters/x", "GET,/api/v1/nope",
            "POST,/api/v1/counters/x/decrement", "GET,/api/v1/counters/x/increment/more", "DELETE,/nope",
            "GET,/api/v1/sessions/other", "GET,/index.html" })
    void anUnknownRouteIs404Problem(String method, String path) {
        JsonNode problem = assertProblem(given().when().request(method, path), 404, GENERIC);
        assertEquals(path, problem.get("instance").asText());
        assertEquals("Not Found", problem.get("title").asText());
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiter = '|', value = {
            "PUT|/api/v1/counters/x|DELETE, GET, HEAD",
            "PATCH|/api/v1/counters/x|DELETE, GET, HEAD",
            "POST|/api/v1/counters/x|DELETE, GET, HEAD",
            "GET|/api/v1/counters/x/increment|POST",
            "DELETE|/api/v1/counters/x/increment|POST",
            "DELETE|/api/v1/counters|GET, HEAD",
            "POST|/api/v1/counters|GET, HEAD",
            "GET|/api/v1/sessions|POST",
            "PUT|/api/v1/sessions/current|DELETE, GET, HEAD, PATCH",
            "POST|/api/v1/sessions/current|DELETE, GET, HEAD, PATCH",
            "GET|/api/v1/sessions/current/visits|POST",
            "POST|/|GET, HEAD",
            "DELETE|/|GET, HEAD" })
    void aWrongMethodIs405WithAnAllowHeader(String method, String path, String allow) {
        Response response = given().contentType(ContentType.JSON).body("{}").when().request(method, path);
        JsonNode problem = assertProblem(response, 405, GENERIC);
        assertEquals(allow, response.header("Allow"));
        assertTrue(problem.get("detail").asText().contains(method), problem.toString());
    }

    @Test
    void everyMethodThatAllowAdvertisesIsServed() {
        String name = Unique.name("allow");
        given().when().head("/api/v1/counters/" + name).then().statusCode(200)
                .header("X-Request-Id", notNullValue());
        given().when().head("/api/v1/counters").then().statusCode(200);
        given().when().head("/").then().statusCode(200);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "text/plain", "application/xml", "application/x-www-form-urlencoded",
            "application/octet-stream" })
    void aNonJsonIncrementBodyIs415(String contentType) {
        String name = Unique.name("media");
        Http http = Http.at(app);
        JsonNode problem = assertProblem(http.send(http.request("/api/v1/counters/" + name + "/increment")
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString("by=5"))), 415,
                GENERIC);
        assertTrue(problem.get("detail").asText().contains(contentType), problem.toString());
        given().when().get("/api/v1/counters/{name}", name).then().body("value", equalTo(0));
    }

    @Test
    void aNonJsonSessionBodyIs415() {
        assertProblem(given().contentType("text/plain").body("a=1").when().post("/api/v1/sessions"), 415, GENERIC);
    }

    @Test
    void anUnacceptableAcceptIs406Problem() {
        assertProblem(given().accept("text/html").when().get("/api/v1/counters/x"), 406, GENERIC);
    }

    @Test
    void theRequestIdInTheProblemIsTheCallersWhenItIsSafe() {
        Response response = given().header("X-Request-Id", "trace-0123456789abcdef").when().get("/nope");
        JsonNode problem = assertProblem(response, 404, GENERIC);
        assertEquals("trace-0123456789abcdef", problem.get("requestId").asText());

        Response rest = given().header("X-Request-Id", "trace-42").when().get("/api/v1/counters/a%20b");
        assertEquals("trace-42", assertProblem(rest, 400, tally("invalid-counter-name")).get("requestId").asText());
    }

    @Test
    void anUnsafeRequestIdIsReplacedEverywhere() {
        Response response = given().header("X-Request-Id", "bad id with spaces").when().get("/nope");
        JsonNode problem = assertProblem(response, 404, GENERIC);
        String replaced = response.header("X-Request-Id");
        assertTrue(replaced.matches("[0-9a-f-]{36}"), replaced);
        assertEquals(replaced, problem.get("requestId").asText());
    }

    @Test
    void everyRequestGetsItsOwnRequestId() {
        String first = assertProblem(given().when().get("/nope"), 404, GENERIC).get("requestId").asText();
        String second = assertProblem(given().when().get("/nope"), 404, GENERIC).get("requestId").asText();
        assertNotEquals(first, second);
    }

    @Test
    void successfulResponsesCarryTheSameHeaders() {
        String name = Unique.name("headers");
        String instance = given().contentType(ContentType.JSON).body("{}")
                .when().post("/api/v1/counters/{name}/increment", name)
                .then().statusCode(200)
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"))
                .header("X-Tally-Instance", not(emptyString()))
                .extract().header("X-Tally-Instance");
        given().when().delete("/api/v1/counters/{name}", name)
                .then().statusCode(204).header("X-Tally-Instance", equalTo(instance))
                .header("X-Request-Id", notNullValue());
        given().contentType(ContentType.JSON).when().post("/api/v1/sessions")
                .then().statusCode(201).header("X-Tally-Instance", equalTo(instance))
                .header("X-Request-Id", notNullValue());
        given().when().get("/api/v1/counters")
                .then().statusCode(200).header("X-Tally-Instance", equalTo(instance));
    }
}
