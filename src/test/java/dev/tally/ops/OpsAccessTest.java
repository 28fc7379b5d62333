package dev.tally.ops;

import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.ops.ManagementRoutes.Answer;
import dev.tally.ops.ManagementRoutes.Call;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.PrometheusMetrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every route of the management port, read from its router, without a token, with a wrong one and with the right
 * one: the health probes, the API description and the console's static shell answer all three; everything else,
 * {@code /q/metrics} included (closed by default), is a 401 problem with {@code WWW-Authenticate: Bearer} without
 * the right token and served with it. {@link OpsTokenUnsetTest} covers a replica without a token and metrics
 * opened for a scraper.
 */
@QuarkusTest
class OpsAccessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the management port serves to anyone: the test's own statement, not the code's list. */
    static final Predicate<Call> OPEN = call -> call.method().equals("GET") && (under(call, "/q/health")
            || call.path().matches("/q/openapi(\\.(json|yaml|yml))?") || under(call, "/q/swagger-ui")
            || Set.of("/ops/", "/ops/console.js", "/ops/console.css").contains(call.path()));

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    ManagementRoutes routes;

    /** The path or below it; a sibling such as /q/health-ui (SmallRye's health UI) is not open. */
    private static boolean under(Call call, String root) {
        return call.path().equals(root) || call.path().startsWith(root + "/");
    }

    @Test
    void theTableCoversTheRoutesThatMatter() {
        Set<String> paths = routes.calls().stream().map(Call::toString).collect(Collectors.toSet());
        for (String known : List.of("GET /ops/threads", "GET /ops/requests", "GET /ops/hangs", "GET /ops/cluster", "GET /ops/events",
                "GET /ops/", "GET /ops/jobs/dead", "POST /ops/jobs/dead/x/redrive", "GET /q/metrics",
                "GET /q/health/live", "GET /q/health/ready", "GET /q/health/started", "GET /q/openapi")) {
            assertTrue(paths.contains(known), known + " is in the table: " + paths);
        }
    }

    @Test
    void everyRouteWithoutWrongAndWithTheRightToken() {
        String token = OpsToken.ofTestApplication();
        String wrong = OpsToken.generate();
        List<Executable> checks = new ArrayList<>();
        for (Call call : routes.calls()) {
            if (OPEN.test(call)) {
                checks.add(() -> assertServed(call, ManagementRoutes.send(management, call, null), "no token"));
                checks.add(() -> assertServed(call, ManagementRoutes.send(management, call, wrong), "a wrong token"));
            } else {
                checks.add(() -> assertRefused(call, ManagementRoutes.send(management, call, null),
                        "ops-token-required", "no token"));
                checks.add(() -> assertRefused(call, ManagementRoutes.send(management, call, wrong),
                        "ops-token-invalid", "a wrong token"));
            }
            checks.add(() -> assertServed(call, ManagementRoutes.send(management, call, token), "the right token"));
        }
        assertAll(checks);
        System.out.printf("ops token table: %d routes, %d requests: %s%n", routes.calls().size(), checks.size(),
                routes.calls());
    }

    /** The scheme is case-insensitive (RFC 9110 11.1); anything else in the header is no bearer token. */
    @Test
    void onlyABearerCarriesTheToken() {
        Call cluster = new Call("GET", "/ops/cluster");
        String token = OpsToken.ofTestApplication();
        assertServed(cluster, sendWithAuthorization(cluster, "bearer " + token), "a lower-case scheme");
        for (String other : List.of("Basic " + token, token, "Bearer", "Bearer " + token + "x", "Bearer " + token
                .substring(1))) {
            Answer answer = sendWithAuthorization(cluster, other);
            assertEquals(401, answer.status(), "Authorization: " + other);
        }
    }

    /** Odd spellings of a closed path never reach its route without the token. */
    @Test
    void noSpellingOfAPathGetsAroundTheCheck() {
        for (String path : List.of("/ops/./threads", "//ops/threads", "/ops/threads/", "/ops//threads",
                "/q/health/../../ops/threads", "/ops/%74hreads", "/q/health/..%2F..%2Fops/threads", "/OPS/threads",
                "/ops/console.js/../threads", "/q/metrics/", "/ops/nothing-here")) {
            Answer answer = ManagementRoutes.send(management, new Call("GET", path), null);
            assertTrue(answer.status() == 401 || answer.status() == 404, path + " answered " + answer.status());
        }
        // Open paths are open to reads only.
        Answer write = ManagementRoutes.send(management, new Call("POST", "/q/health/live"), null);
        assertEquals(401, write.status(), "POST /q/health/live");
    }

    @Test
    void refusalsAreCounted() throws Exception {
        PrometheusMetrics metrics = new PrometheusMetrics(management.toURL());
        double before = metrics.value("tally_ops_refused_total", "reason=\"wrong\"");
        ManagementRoutes.send(management, new Call("GET", "/ops/cluster"), OpsToken.generate());
        assertEquals(before + 1, metrics.value("tally_ops_refused_total", "reason=\"wrong\""));
    }

    private Answer sendWithAuthorization(Call call, String authorization) {
        return ManagementRoutes.sendRaw(management, call, authorization);
    }

    static void assertServed(Call call, Answer answer, String with) {
        assertTrue(answer.status() != 401 && answer.status() != 403,
                call + " with " + with + " is served, got " + answer.status() + " " + answer.body());
        assertOpsHeaders(call, answer);
    }

    static void assertRefused(Call call, Answer answer, String slug, String with) throws Exception {
        String where = call + " with " + with;
        assertEquals(401, answer.status(), where + ": " + answer.body());
        assertTrue(answer.header("WWW-Authenticate").startsWith("Bearer "), where + ": " + answer.header(
                "WWW-Authenticate"));
        assertProblemOf(where, answer, slug);
        assertOpsHeaders(call, answer);
    }

    static void assertProblemOf(String where, Answer answer, String slug) throws Exception {
        assertTrue(answer.header("Content-Type").startsWith("application/problem+json"), where);
        assertNotEquals(null, answer.header("X-Request-Id"), where + ": tagged before the check");
        JsonNode problem = JSON.readTree(answer.body());
        assertEquals(tally(slug), problem.path("type").asText(), where + ": " + answer.body());
        assertEquals(answer.status(), problem.path("status").asInt(), where);
    }

    static void assertOpsHeaders(Call call, Answer answer) {
        assertEquals("nosniff", answer.header("X-Content-Type-Options"), call + ": nosniff");
        if (call.path().startsWith("/ops")) {
            assertEquals("no-store", answer.header("Cache-Control"), call + ": no-store");
        }
    }
}
