package dev.tally.redis;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ApiKeys;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Unique;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.mutiny.redis.client.Response;

/**
 * docs/operations.md, "Redis keys: lifetime and bounds", checked: on a key space of its own (a prefix no other
 * test uses), every route is exercised, then every key under the prefix must be one the table names, and every key
 * without a TTL must be one the table names as permanent and bounded. A counter's version may only exist beside
 * its value.
 */
@QuarkusTest
@TestProfile(KeyLifetimeTest.OwnKeySpace.class)
class KeyLifetimeTest {

    public static class OwnKeySpace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tally.redis.key-prefix", "keyaudit:");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String NAME = "[A-Za-z0-9._:-]{1,200}";
    private static final String ID = "[A-Za-z0-9_-]{22}";
    // The one shard of a layout of one, or shard INDEX of COUNT (redis/Keys#jobShard).
    private static final String JOBS = "\\{jobs(:[0-9]+\\.[0-9]+\\.[0-9]+)?}";
    private static final String COOKIE = "__Host-TALLY_SESSION";

    /** Every key docs/operations.md lists, without the prefix; {@code true}: permanent (no TTL) and bounded. */
    private static final Map<Pattern, Boolean> TABLE = Map.ofEntries(
            Map.entry(Pattern.compile("\\{c:" + NAME + "}:value"), true),
            Map.entry(Pattern.compile("\\{c:" + NAME + "}:version"), true),
            Map.entry(Pattern.compile("\\{c:" + NAME + "}:idem:.+"), false), // (the caller, then) the Idempotency-Key
            Map.entry(Pattern.compile("\\{s:" + ID + "}"), false),
            Map.entry(Pattern.compile(JOBS + ":stream"), true),
            Map.entry(Pattern.compile(JOBS + ":retries"), true),
            Map.entry(Pattern.compile(JOBS + ":dead"), true),
            Map.entry(Pattern.compile(JOBS + ":job:" + ID + "(\\.[0-9]+\\.[0-9]+)?"), false),
            Map.entry(Pattern.compile("\\{jobs}:layouts"), true), // one member per shard count ever used
            Map.entry(Pattern.compile("\\{auth}:key:[A-Za-z0-9_-]+"), true),
            Map.entry(Pattern.compile("\\{auth}:names"), true),
            Map.entry(Pattern.compile("\\{q:(key-[A-Za-z0-9_-]+|addr-[0-9A-Fa-f.:%a-z]+)}"), false), // quota windows
            Map.entry(Pattern.compile("\\{ops}:replicas"), false),
            Map.entry(Pattern.compile("\\{ops}:replica:.+"), false));

    @Inject
    RedisDataSource redis;

    @ConfigProperty(name = "tally.redis.key-prefix")
    String prefix;

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void afterEveryRouteEachKeyIsInTheTableAndOnlyBoundedOnesLiveForever() {
        exerciseCounters();
        exerciseSessions();
        exerciseJobs();
        given().get("/").then().statusCode(200);
        given().get("/api/v1/work/blocking?ms=1").then().statusCode(200);
        given().get("/api/v1/work/cpu?iterations=1").then().statusCode(200);
        given().header("Authorization", OpsToken.bearer(OpsToken.ofTestApplication()))
                .get(URI.create(management.toString()).resolve("/ops/cluster")).then().statusCode(200);
        // An API key made and one made and revoked: a kept key's record and the name index stay (bounded by
        // tally.auth.max-keys), a revoked one leaves nothing.
        ApiKeys keys = ApiKeys.at(URI.create(management.toString()));
        keys.create(Unique.name("kept"), "counters:read");
        String revoked = Unique.name("revoked");
        keys.create(revoked, "counters:read");
        assertEquals(200, keys.revoke(revoked).statusCode());

        Map<String, Long> ttls = keysWithTtl();
        List<String> problems = new ArrayList<>();
        ttls.forEach((key, pttl) -> {
            String local = key.substring(prefix.length());
            Boolean permanent = TABLE.entrySet().stream().filter(row -> row.getKey().matcher(local).matches())
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (permanent == null) {
                problems.add(key + ": not in the table of docs/operations.md");
            } else if (pttl < 0 && !permanent) {
                problems.add(key + ": has no TTL, but the table gives it a lifetime");
            } else if (local.endsWith("}:version")) {
                String value = key.substring(0, key.length() - "version".length()) + "value";
                if (!ttls.containsKey(value)) {
                    problems.add(key + ": a version without its counter");
                }
            }
        });
        assertEquals(List.of(), problems, "keys: " + ttls);
        assertTrue(ttls.keySet().stream().anyMatch(key -> key.endsWith("}:value")), "the routes wrote keys");
    }

    private void exerciseCounters() {
        String kept = Unique.name("kept");
        String reset = Unique.name("reset");
        for (String name : List.of(kept, reset)) {
            given().contentType(ContentType.JSON).body("{\"by\":2}").post("/api/v1/counters/{n}/increment", name)
                    .then().statusCode(200);
            given().contentType(ContentType.JSON).header("Idempotency-Key", Unique.name("k")).body("{}")
                    .post("/api/v1/counters/{n}/increment", name).then().statusCode(200);
        }
        given().delete("/api/v1/counters/{n}", reset).then().statusCode(204);
        given().delete("/api/v1/counters/{n}", Unique.name("never")).then().statusCode(204);
        given().get("/api/v1/counters/{n}", Unique.name("unread")).then().statusCode(200);
        given().get("/api/v1/counters?limit=1000").then().statusCode(200);
        String live = app.toString().replaceFirst("^http", "ws") + "api/v1/counters/" + reset + "/live";
        try (LiveSocket socket = LiveSocket.open(live, reset, null)) {
            socket.awaitLast(0, WAIT);
        }
    }

    private void exerciseSessions() {
        String kept = given().contentType(ContentType.JSON).body("{\"a\":1}").post("/api/v1/sessions")
                .then().statusCode(201).extract().cookie(COOKIE);
        String dropped = given().contentType(ContentType.JSON).body("{}").post("/api/v1/sessions")
                .then().statusCode(201).extract().cookie(COOKIE);
        given().cookie(COOKIE, kept).get("/api/v1/sessions/current").then().statusCode(200);
        given().cookie(COOKIE, kept).contentType("application/merge-patch+json").body("{\"b\":2}")
                .patch("/api/v1/sessions/current").then().statusCode(200);
        given().cookie(COOKIE, kept).post("/api/v1/sessions/current/visits").then().statusCode(200);
        given().cookie(COOKIE, dropped).delete("/api/v1/sessions/current").then().statusCode(204);
        given().cookie(COOKIE, "x".repeat(22)).get("/api/v1/sessions/current").then().statusCode(404);
    }

    private void exerciseJobs() {
        String done = submit("{\"type\":\"noop\"}");
        String dead = submit("{\"type\":\"sleep\",\"payload\":{\"ms\":1,\"failAttempts\":100}}");
        String cancelled = submit("{\"type\":\"sleep\",\"payload\":{\"ms\":60000}}");
        given().delete("/api/v1/jobs/{id}", cancelled).then().statusCode(org.hamcrest.Matchers.oneOf(200, 202));
        given().delete("/api/v1/jobs/{id}", "y".repeat(22)).then().statusCode(404);
        awaitStatus(done, "succeeded");
        awaitStatus(dead, "dead");
        awaitStatus(cancelled, "cancelled");
        given().header("Authorization", OpsToken.bearer(OpsToken.ofTestApplication()))
                .get(URI.create(management.toString()).resolve("/ops/jobs/dead")).then().statusCode(200);
    }

    private static String submit(String body) {
        String location = given().contentType(ContentType.JSON).body(body).post("/api/v1/jobs")
                .then().statusCode(202).extract().header("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static void awaitStatus(String id, String status) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String now;
        while (!status.equals(now = given().get("/api/v1/jobs/{id}", id).then().statusCode(200).extract()
                .path("status"))) {
            assertTrue(System.nanoTime() < deadline, "job " + id + " is " + now + ", expected " + status);
            Pause.of(Duration.ofMillis(50));
        }
    }

    /** Every key under this test's prefix with its PTTL (-1: none). */
    private Map<String, Long> keysWithTtl() {
        Map<String, Long> found = new TreeMap<>();
        String cursor = "0";
        do {
            Response page = redis.execute("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
            cursor = page.get(0).toString();
            for (Response key : page.get(1)) {
                found.put(key.toString(), redis.execute("PTTL", key.toString()).toLong());
            }
        } while (!"0".equals(cursor));
        assertFalse(found.isEmpty());
        return found;
    }
}
