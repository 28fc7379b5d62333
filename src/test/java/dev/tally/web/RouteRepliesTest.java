package dev.tally.web;

import static dev.tally.testsupport.Problems.GENERIC;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.OpsToken;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Hand-written management routes fail as the REST layer does: a bug is a 500 problem (no stack trace, no message),
 * Redis trouble a 503 {@code store-unavailable} with {@code tally.redis.retry-after}. (A real outage under
 * {@code /ops/cluster}: RedisOutageIT.)
 */
@QuarkusTest
class RouteRepliesTest {

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Test
    void aBugIsA500Problem() {
        HttpResponse<String> response = Http.at(management).get(FailingRoutes.BUG, OpsToken.header());
        assertProblem(response, 500, GENERIC);
        assertFalse(response.body().contains("Secret"), "the failure's message stays in the log: " + response.body());
        assertFalse(response.headers().firstValue("Retry-After").isPresent(), "a bug is not worth retrying");
    }

    @Test
    void redisTroubleIsA503ProblemWithTheConfiguredRetryAfter() {
        HttpResponse<String> response = Http.at(management).get(FailingRoutes.REDIS_DOWN, OpsToken.header());
        assertProblem(response, 503, tally("store-unavailable"));
        assertEquals("2", response.headers().firstValue("Retry-After").orElse(null), "tally.redis.retry-after");
    }
}
