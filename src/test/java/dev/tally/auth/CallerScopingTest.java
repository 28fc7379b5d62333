package dev.tally.auth;

import static dev.tally.testsupport.ApiKeys.bearer;
import static dev.tally.testsupport.ApiKeys.json;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ApiKeys;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Two real keys: one caller can neither replay, burn nor read another's Idempotency-Key or jobs. */
@QuarkusTest
@TestProfile(ProductionScopes.class)
class CallerScopingTest {

    private static final String REPLAYED = "Idempotent-Replayed";

    @TestHTTPResource("/")
    URI app;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    private Http http;
    private String alice;
    private String bob;

    @BeforeEach
    void twoCallers() {
        http = Http.at(app);
        ApiKeys keys = ApiKeys.at(management);
        alice = keys.create(Unique.name("alice"), "counters:write", "jobs:submit");
        bob = keys.create(Unique.name("bob"), "counters:write", "jobs:submit");
    }

    private HttpResponse<String> incrementOnce(String counter, String key, String idempotencyKey, int by) {
        return http.post(counter + "/increment", "{\"by\":" + by + "}", "Idempotency-Key", idempotencyKey,
                "Authorization", "Bearer " + key);
    }

    @Test
    void theSameIdempotencyKeyOfTwoCallersIsTwoKeys() {
        String counter = "/api/v1/counters/" + Unique.name("shared");
        String idempotencyKey = Unique.name("idem");

        HttpResponse<String> first = incrementOnce(counter, alice, idempotencyKey, 5);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("false", first.headers().firstValue(REPLAYED).orElse(null));
        // Bob's request with Alice's key, even with another amount, is his own first request: counted, not 422.
        HttpResponse<String> bobs = incrementOnce(counter, bob, idempotencyKey, 3);
        assertEquals(200, bobs.statusCode(), bobs.body());
        assertEquals("false", bobs.headers().firstValue(REPLAYED).orElse(null));
        assertEquals(8, json(bobs.body()).path("value").asLong());
        // Each one's retry replays its own result.
        HttpResponse<String> aliceAgain = incrementOnce(counter, alice, idempotencyKey, 5);
        assertEquals("true", aliceAgain.headers().firstValue(REPLAYED).orElse(null));
        assertEquals(5, json(aliceAgain.body()).path("value").asLong());
        HttpResponse<String> bobAgain = incrementOnce(counter, bob, idempotencyKey, 3);
        assertEquals("true", bobAgain.headers().firstValue(REPLAYED).orElse(null));
        assertEquals(8, json(bobAgain.body()).path("value").asLong());
        assertEquals(8, json(http.get(counter).body()).path("value").asLong());
    }

    @Test
    void aJobIsItsSubmittersAndAnotherCallerSeesNoSuchJobUnlessJobsAdmin() {
        HttpResponse<String> submitted = http.post("/api/v1/jobs", "{\"type\":\"sleep\",\"payload\":{\"ms\":3000}}",
                bearer(alice));
        assertEquals(202, submitted.statusCode(), submitted.body());
        String job = submitted.headers().firstValue("Location").orElseThrow();

        assertEquals(200, http.get(job, bearer(alice)).statusCode());
        assertProblem(http.get(job, bearer(bob)), 404, tally("job-not-found"));
        assertProblem(http.delete(job, bearer(bob)), 404, tally("job-not-found"));
        String status = json(http.get(job, bearer(alice)).body()).path("status").asText();
        assertEquals(true, status.equals("queued") || status.equals("running"), "Bob's cancel changed nothing: "
                + status);

        String admin = ApiKeys.at(management).create(Unique.name("admin"), "jobs:admin");
        assertEquals(200, http.get(job, bearer(admin)).statusCode(), "jobs:admin sees every job");
        HttpResponse<String> cancelled = http.delete(job, bearer(admin));
        assertEquals(true, cancelled.statusCode() == 200 || cancelled.statusCode() == 202, cancelled.body());
    }
}
