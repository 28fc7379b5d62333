package dev.tally.auth;

import static dev.tally.testsupport.ApiKeys.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ApiKeys;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Problems;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Every operation of the app port, with the production default anonymous scopes ({@code counters:read}): anonymous,
 * a key with every scope but the ones that grant it, a key with exactly one that does, an unknown, a revoked and an
 * expired key. 401 with {@code WWW-Authenticate: Bearer}, 403, or the operation's own success, as
 * {@link RouteScopes} says.
 */
@QuarkusTest
@TestProfile(ProductionScopes.class)
class AccessByScopeTest {

    /** One operation sent with a given Authorization (null: none); the answer it gets when allowed. */
    private record Row(String operation, Set<Integer> allowed, BiFunction<Http, String, HttpResponse<String>> send) {

        Row(String operation, int allowed, BiFunction<Http, String, HttpResponse<String>> send) {
            this(operation, Set.of(allowed), send);
        }

        void assertAllowed(HttpResponse<String> response, String who) {
            assertTrue(allowed.contains(response.statusCode()), operation + " " + who + ": " + response.statusCode()
                    + " " + response.body());
        }
    }

    @TestHTTPResource("/")
    URI app;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    private Http http;
    private ApiKeys keys;

    @BeforeEach
    void clients() {
        http = Http.at(app);
        keys = ApiKeys.at(management);
    }

    private List<Row> rows() {
        String counter = "/api/v1/counters/" + Unique.name("scoped");
        return List.of(
                new Row("GET /", 200, (h, key) -> h.get("/", bearer(key))),
                new Row("GET /api/v1/counters/{name}", 200, (h, key) -> h.get(counter, bearer(key))),
                new Row("POST /api/v1/counters/{name}/increment", 200,
                        (h, key) -> h.post(counter + "/increment", "{\"by\":1}", bearer(key))),
                new Row("DELETE /api/v1/counters/{name}", 204, (h, key) -> h.delete(counter, bearer(key))),
                new Row("GET /api/v1/counters", 200, (h, key) -> h.get("/api/v1/counters?limit=1", bearer(key))),
                new Row("POST /api/v1/jobs", 202, (h, key) -> submit(h, key)),
                // A job of the caller's own (submitted with the key, or anonymously when it has none).
                new Row("GET /api/v1/jobs/{id}", 200, (h, key) -> h.get(jobOf(key), bearer(key))),
                // Queued (200) or already running (202): cancelled either way.
                new Row("DELETE /api/v1/jobs/{id}", Set.of(200, 202), (h, key) -> h.delete(jobOf(key), bearer(key))),
                new Row("GET /api/v1/work/blocking", 200, (h, key) -> h.get("/api/v1/work/blocking?ms=1", bearer(key))),
                new Row("GET /api/v1/work/cpu", 200, (h, key) -> h.get("/api/v1/work/cpu?iterations=10", bearer(key))),
                new Row("POST /api/v1/sessions", 201, (h, key) -> h.post("/api/v1/sessions", "{}", bearer(key))),
                new Row("GET /api/v1/sessions/current", 404, (h, key) -> h.get("/api/v1/sessions/current", bearer(key))),
                new Row("PATCH /api/v1/sessions/current", 404,
                        (h, key) -> h.patch("/api/v1/sessions/current", "{}", bearer(key))),
                new Row("POST /api/v1/sessions/current/visits", 404,
                        (h, key) -> h.post("/api/v1/sessions/current/visits", null, bearer(key))),
                new Row("DELETE /api/v1/sessions/current", 204,
                        (h, key) -> h.delete("/api/v1/sessions/current", bearer(key))));
    }

    private static HttpResponse<String> submit(Http h, String key) {
        return h.post("/api/v1/jobs", "{\"type\":\"sleep\",\"payload\":{\"ms\":2000}}", bearer(key));
    }

    /**
     * A job the caller may reach when its scope allows: its own when it may submit, else one of another caller
     * (which only jobs:admin reaches; every other caller is refused before the job is looked at).
     */
    private String jobOf(String key) {
        HttpResponse<String> submitted = submit(http, key);
        if (submitted.statusCode() != 202) {
            submitted = submit(http, submitter());
        }
        assertEquals(202, submitted.statusCode(), submitted.body());
        return submitted.headers().firstValue("Location").orElseThrow();
    }

    private String submitter;

    private String submitter() {
        if (submitter == null) {
            submitter = key(EnumSet.of(Scope.JOBS_SUBMIT));
        }
        return submitter;
    }

    @Test
    void theRowsAreExactlyTheTable() {
        assertEquals(RouteScopes.all().keySet(), new TreeSet<>(rows().stream().map(Row::operation).toList()));
    }

    @Test
    void anonymousCallersGetOnlyTheAnonymousScopesAndAreToldToAuthenticate() {
        Set<Scope> anonymous = EnumSet.of(Scope.COUNTERS_READ);
        for (Row row : rows()) {
            Set<Scope> needed = RouteScopes.all().get(row.operation());
            HttpResponse<String> response = row.send().apply(http, null);
            if (needed.isEmpty() || needed.stream().anyMatch(anonymous::contains)) {
                row.assertAllowed(response, "anonymously");
            } else {
                assertRefused(row, response, 401, "api-key-required");
            }
        }
    }

    @Test
    void aKeyWithEveryOtherScopeIsForbiddenAndOneGrantingScopeIsEnough() {
        for (Row row : rows()) {
            Set<Scope> needed = RouteScopes.all().get(row.operation());
            if (needed.isEmpty()) {
                row.assertAllowed(row.send().apply(http, key(EnumSet.allOf(Scope.class))), "with a key");
                continue;
            }
            Set<Scope> others = EnumSet.allOf(Scope.class);
            others.removeAll(needed);
            assertRefused(row, row.send().apply(http, key(others)), 403, "insufficient-scope");
            for (Scope granting : needed) {
                row.assertAllowed(row.send().apply(http, key(EnumSet.of(granting))), "with " + granting.wire());
            }
        }
    }

    @Test
    void anUnknownARevokedAndAnExpiredKeyAreRefusedEverywhere() throws InterruptedException {
        String unknown = "tally.AAAAAAAAAAAA." + "A".repeat(43);
        String revokedName = Unique.name("revoked");
        String revoked = keys.create(revokedName, wire(EnumSet.allOf(Scope.class)).toArray(String[]::new));
        assertEquals(200, keys.revoke(revokedName).statusCode());
        Instant expiry = Instant.now().plusMillis(1500);
        String expired = keys.create(Unique.name("expired"), wire(EnumSet.allOf(Scope.class)), expiry);
        assertEquals(200, http.get("/api/v1/counters/x", bearer(expired)).statusCode(), "valid before its expiry");
        while (!Instant.now().isAfter(expiry)) {
            Thread.sleep(50); // the key's own expiry time, not a guess
        }
        for (String key : List.of(unknown, revoked, expired)) {
            for (Row row : rows()) {
                assertRefused(row, row.send().apply(http, key), 401, "invalid-api-key");
            }
        }
    }

    @Test
    void aKnownIdWithAForgedSecretIsRefused() {
        String key = key(EnumSet.allOf(Scope.class));
        assertEquals(200, http.get("/api/v1/counters/x", bearer(key)).statusCode(), "the key itself works (cached)");
        String secret = key.substring(key.lastIndexOf('.') + 1);
        String forged = key.substring(0, key.lastIndexOf('.') + 1)
                + (secret.charAt(0) == 'A' ? 'B' : 'A') + secret.substring(1);
        for (Row row : rows()) {
            assertRefused(row, row.send().apply(http, forged), 401, "invalid-api-key");
        }
    }

    @Test
    void aMalformedAuthorizationHeaderIsA401NeverA500() {
        String valid = key(EnumSet.allOf(Scope.class));
        for (String header : List.of("Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer tally.short.key",
                "Bearer " + valid + " extra", "bearer" + valid, "Bearer " + valid.replace('.', '{'),
                "Bearer " + "x".repeat(5000), "Bearer tally." + "é".repeat(12) + "." + "A".repeat(43))) {
            HttpResponse<String> response = http.get("/api/v1/counters/x", "Authorization", header);
            Problems.assertProblem(response, 401, Problems.tally("invalid-api-key"));
            assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), header);
        }
        HttpResponse<String> twice = http.get("/api/v1/counters/x", "Authorization", "Bearer " + valid,
                "Authorization", "Bearer " + valid);
        Problems.assertProblem(twice, 401, Problems.tally("invalid-api-key"));
        assertEquals(200, http.get("/api/v1/counters/x", "Authorization", "bEaReR " + valid).statusCode(),
                "the scheme is case-insensitive (RFC 9110)");
    }

    private String key(Set<Scope> scopes) {
        return keys.create(Unique.name("k"), wire(scopes).toArray(String[]::new));
    }

    private static List<String> wire(Set<Scope> scopes) {
        return new ArrayList<>(scopes.stream().map(Scope::wire).toList());
    }

    private static void assertRefused(Row row, HttpResponse<String> response, int status, String type) {
        assertEquals(status, response.statusCode(), row.operation() + ": " + response.body());
        Problems.assertProblem(response, status, Problems.tally(type));
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.startsWith("Bearer realm=\"tally\""), row.operation() + ": WWW-Authenticate " + challenge);
    }
}
