package dev.tally.web;

import static dev.tally.testsupport.Problems.GENERIC;
import static dev.tally.testsupport.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tally.testsupport.OpsToken;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Health, metrics and OpenAPI live on the management interface only; the app port answers them with 404. */
@QuarkusTest
class ManagementInterfaceTest {

    @TestHTTPResource("/")
    URI app;

    /** The management interface's base URL ({@code http://host:port/q/}): its port is random in tests. */
    @TestHTTPResource(value = "/", management = true)
    URI management;

    private String onManagement(String path) {
        return management.resolve(path).toString();
    }

    @Test
    void theManagementInterfaceHasItsOwnPort() {
        assertNotEquals(app.getPort(), management.getPort());
    }

    @Test
    void livenessIsUpAndDoesNotDependOnRedis() {
        given().when().get(onManagement("/q/health/live"))
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.not(hasItem("redis")));
    }

    @Test
    void readinessIsUpWithTheRedisCheck() {
        given().when().get(onManagement("/q/health/ready"))
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("status", equalTo("UP"))
                .body("checks", hasItem(Map.of("name", "redis", "status", "UP")));
    }

    @Test
    void startedIsUp() {
        given().when().get(onManagement("/q/health/started"))
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("status", equalTo("UP"));
    }

    @Test
    void theOverallHealthIsUp() {
        given().when().get(onManagement("/q/health"))
                .then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("redis"));
    }

    @Test
    void metricsArePrometheusText() {
        given().contentType(ContentType.JSON).body("{}").when().post("/api/v1/counters/metrics-probe/increment")
                .then().statusCode(200);
        given().header("Authorization", OpsToken.bearer(OpsToken.ofTestApplication())).when()
                .get(onManagement("/q/metrics"))
                .then().statusCode(200)
                .header("Content-Type", anyOf(startsWith("text/plain"), startsWith("application/openmetrics-text")))
                .body(containsString("# TYPE "))
                .body(containsString("http_server_requests_seconds"))
                .body(containsString("jvm_"));
        given().header("Authorization", OpsToken.bearer(OpsToken.ofTestApplication())).accept("text/plain")
                .when().get(onManagement("/q/metrics"))
                .then().statusCode(200).header("Content-Type", startsWith("text/plain"))
                .body(containsString("# TYPE "));
    }

    @Test
    void openApiIsServedOnTheManagementInterface() {
        given().when().get(onManagement("/q/openapi"))
                .then().statusCode(200).body(containsString("/api/v1/counters"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "/q/health", "/q/health/live", "/q/health/ready", "/q/health/started", "/q/metrics",
            "/q/openapi", "/q/openapi.json", "/q/swagger-ui", "/q/swagger-ui/", "/q/dev-ui", "/q", "/q/" })
    void theAppPortDoesNotServeManagementPaths(String path) {
        assertProblem(given().when().get(path), 404, GENERIC);
    }
}
