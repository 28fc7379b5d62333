package dev.tally.job;

import static dev.tally.testsupport.Problems.GENERIC;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.PrometheusMetrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** The jobs API in one process (role all: this replica also runs the jobs), against the real Redis. */
@QuarkusTest
class JobResourceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource(value = "/", management = true)
    URL management;

    static String submit(String type, String payload) {
        String body = payload == null ? "{\"type\":\"" + type + "\"}"
                : "{\"type\":\"" + type + "\",\"payload\":" + payload + "}";
        Response response = given().contentType(ContentType.JSON).body(body).when().post("/api/v1/jobs");
        response.then().statusCode(202).body("status", equalTo("queued"));
        String id = response.jsonPath().getString("id");
        // Relative: never built from the request's Host (which a client sets).
        assertEquals("/api/v1/jobs/" + id, response.header("Location"));
        return id;
    }

    static JsonPath job(String id) {
        return given().when().get("/api/v1/jobs/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    static JsonPath awaitStatus(String id, String status) {
        return awaitStatus(id, status, WAIT);
    }

    static JsonPath awaitStatus(String id, String status, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            JsonPath job = job(id);
            if (status.equals(job.getString("status"))) {
                return job;
            }
            assertTrue(System.nanoTime() < deadline, "job " + id + " never became " + status + ": " + job.prettify());
            Pause.of(Duration.ofMillis(50));
        }
    }

    @Test
    void aSleepJobRunsToSuccessWithItsResultAndFullProgress() {
        String id = submit("sleep", "{\"ms\": 200}");
        JsonPath done = awaitStatus(id, "succeeded");
        assertEquals(200, done.getInt("result.sleptMs"));
        assertEquals(1, done.getInt("attempts"));
        assertEquals(100, done.getInt("progress"));
        assertEquals("sleep", done.getString("type"));
        for (String time : List.of("createdAt", "startedAt", "finishedAt")) {
            assertTrue(done.getString(time) != null, time + " set: " + done.prettify());
        }
    }

    /** The 202 once gave nanoseconds while GET gave the record's milliseconds: one job, two creation times. */
    @Test
    void theQueuedAnswerShowsTheTimesAGetShows() {
        Response queued = given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when().post("/api/v1/jobs");
        queued.then().statusCode(202);
        JsonPath later = job(queued.jsonPath().getString("id"));
        assertEquals(later.getString("createdAt"), queued.jsonPath().getString("createdAt"));
        assertEquals(queued.jsonPath().getString("createdAt"), queued.jsonPath().getString("updatedAt"));
    }

    @Test
    void aDigestJobComputesOnTheCpuPool() {
        String id = submit("digest", "{\"text\": \"abc\", \"iterations\": 1}");
        // One round of SHA-256 over "abc": the well-known test vector.
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                awaitStatus(id, "succeeded").getString("result.sha256"));
    }

    @Test
    void noopNeedsNoPayload() {
        awaitStatus(submit("noop", null), "succeeded");
    }

    @Test
    void aRunningJobIsToldToStopWhenCancelled() {
        String id = submit("sleep", "{\"ms\": 60000}");
        awaitStatus(id, "running");
        given().when().delete("/api/v1/jobs/{id}", id).then().statusCode(202).body("cancelRequested", equalTo(true));
        JsonPath cancelled = awaitStatus(id, "cancelled");
        assertEquals(1, cancelled.getInt("attempts"));
        // Cancelling again is harmless; a finished job cannot be cancelled.
        given().when().delete("/api/v1/jobs/{id}", id).then().statusCode(200).body("status", equalTo("cancelled"));
        String done = submit("noop", null);
        awaitStatus(done, "succeeded");
        assertProblem(given().when().delete("/api/v1/jobs/{id}", done), 409, tally("job-finished"));
    }

    @Test
    void aCpuJobIsInterruptedWhenCancelled() {
        String id = submit("digest", "{\"text\": \"x\", \"iterations\": 50000000}");
        awaitStatus(id, "running");
        given().when().delete("/api/v1/jobs/{id}", id).then().statusCode(202);
        awaitStatus(id, "cancelled");
    }

    @Test
    void failuresAreRetriedWithBackoffThenDeadThenRedrivenToSuccess() {
        // max-attempts is 3 in tests: attempts 1-3 fail, the re-drive grants 3 more and attempt 4 succeeds.
        String id = submit("sleep", "{\"ms\": 1, \"failAttempts\": 3}");
        JsonPath dead = awaitStatus(id, "dead");
        assertEquals(3, dead.getInt("attempts"));
        assertTrue(dead.getString("error").contains("failing attempt 3"), dead.prettify());

        PrometheusMetrics metrics = new PrometheusMetrics(management);
        JsonPath letters = ops().get(onManagement("/ops/jobs/dead")).then().statusCode(200)
                .extract().jsonPath();
        assertTrue(letters.getList("items.id").contains(id), letters.prettify());
        assertTrue(metrics.value("tally_jobs_outcomes_total") > 0);

        ops().post(onManagement("/ops/jobs/dead/" + id + "/redrive")).then().statusCode(202);
        JsonPath redriven = awaitStatus(id, "succeeded");
        assertEquals(4, redriven.getInt("attempts"));
        assertTrue(!ops().get(onManagement("/ops/jobs/dead")).then().extract().jsonPath()
                .getList("items.id").contains(id), "a re-driven job leaves the dead-letter list");
        assertProblem(ops().post(onManagement("/ops/jobs/dead/" + id + "/redrive")), 404,
                tally("no-dead-job"));
    }

    @Test
    void aPermanentFailureEndsTheJobAsFailedWithoutRetry() {
        String id = submit("sleep", "{\"ms\": 1, \"failAttempts\": 1, \"permanent\": true}");
        JsonPath failed = awaitStatus(id, "failed");
        assertEquals(1, failed.getInt("attempts"));
    }

    @Test
    void badInputGetsClearProblems() {
        assertProblem(post("{\"type\":\"teleport\",\"payload\":{}}"), 400, tally("unknown-job-type"));
        assertProblem(post("{\"type\":\"sleep\",\"payload\":{\"ms\":-1}}"), 400, tally("invalid-input"));
        assertProblem(post("{\"type\":\"sleep\",\"payload\":{\"ms\":5,\"colour\":1}}"), 400, tally("invalid-input"));
        assertProblem(post("{\"type\":\"sleep\",\"payload\":[1]}"), 400, tally("invalid-input"));
        assertProblem(post("{\"payload\":{}}"), 400, tally("invalid-job"));
        assertProblem(post("{\"type\":\"sleep\",\"payload\":{\"ms\":5},\"extra\":1}"), 400, tally("malformed-json"));
        assertProblem(post("{\"type\":\"sleep\","), 400, tally("malformed-json"));
        String big = "x".repeat(70_000); // over tally.job.max-payload-bytes (64 KiB), under the body limit
        assertProblem(post("{\"type\":\"digest\",\"payload\":{\"text\":\"" + big + "\",\"iterations\":1}}"), 413,
                tally("job-payload-too-large"));
        String huge = "x".repeat(600_000); // over the HTTP body limit: the same status, from BodyLimit
        assertProblem(post("{\"type\":\"digest\",\"payload\":{\"text\":\"" + huge + "\",\"iterations\":1}}"), 413,
                GENERIC);
        assertProblem(given().when().get("/api/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA"), 404, tally("job-not-found"));
        assertProblem(given().when().get("/api/v1/jobs/not-an-id"), 404, tally("job-not-found"));
        assertProblem(given().when().delete("/api/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA"), 404, tally("job-not-found"));
        assertProblem(ops().get(onManagement("/ops/jobs/dead?limit=0")), 400, tally("invalid-limit"));
    }

    private static Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/jobs");
    }

    /** A request with the ops token, for the management port's routes. */
    private static RequestSpecification ops() {
        return given().header("Authorization", OpsToken.bearer(OpsToken.ofTestApplication())).when();
    }

    private String onManagement(String path) {
        // The management URL injected is its /q/ root; the ops routes sit at the interface's top level.
        return management.getProtocol() + "://" + management.getHost() + ":" + management.getPort() + path;
    }
}
