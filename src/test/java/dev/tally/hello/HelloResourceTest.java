package dev.tally.hello;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HelloResourceTest {

    @Test
    void saysHelloWorldWithRequestAndInstanceHeaders() {
        given().when().get("/")
                .then().statusCode(200)
                .contentType("text/plain")
                .body(equalTo("Hello World"))
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"))
                .header("X-Tally-Instance", notNullValue());
    }

    @Test
    void keepsAWellFormedIncomingRequestId() {
        given().header("X-Request-Id", "abc123").when().get("/")
                .then().statusCode(200).header("X-Request-Id", equalTo("abc123"));
    }

    @Test
    void replacesARequestIdThatIsUnsafeToLog() {
        given().header("X-Request-Id", "x".repeat(300)).when().get("/")
                .then().statusCode(200).header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"));
    }
}
