package dev.tally.auth;

import static dev.tally.testsupport.ApiKeys.bearer;
import static dev.tally.testsupport.ApiKeys.json;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.testsupport.ApiKeys;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.Unique;
import dev.tally.web.AccessLog;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@code /ops/api-keys}: the secret is answered once and only its hash is stored; listing, revoking, bad input. */
@QuarkusTest
@TestProfile(ProductionScopes.class)
class ApiKeyManagementTest {

    @TestHTTPResource("/")
    URI app;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    RedisDataSource redis;

    private ApiKeys keys;

    @BeforeEach
    void client() {
        keys = ApiKeys.at(management);
    }

    @Test
    void aNewKeyIsAnsweredOnceAndRedisHoldsOnlyTheHashOfItsSecret() throws Exception {
        String name = Unique.name("created");
        Instant expiry = Instant.parse("2099-01-01T00:00:00Z");
        HttpResponse<String> created = keys.post(ApiKeys.body(name, List.of("counters:write", "jobs:submit"), expiry));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode body = json(created.body());
        String key = body.path("key").asText();
        assertTrue(key.matches("tally\\.[A-Za-z0-9_-]{12}\\.[A-Za-z0-9_-]{43}"), key);
        assertEquals(name, body.path("name").asText());
        assertEquals("2099-01-01T00:00:00Z", body.path("expiresAt").asText());
        assertEquals(List.of("counters:write", "jobs:submit"),
                List.of(body.path("scopes").get(0).asText(), body.path("scopes").get(1).asText()));

        String id = key.split("\\.")[1];
        String secret = key.split("\\.")[2];
        Map<String, String> stored = redis.hash(String.class).hgetall("tally:{auth}:key:" + id);
        assertEquals(name, stored.get("name"));
        assertEquals("counters:write jobs:submit", stored.get("scopes"));
        String sha256 = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(sha256, stored.get("hash"));
        stored.forEach((field, value) -> assertFalse(value.contains(secret), field + " holds the secret"));
        assertEquals(id, redis.hash(String.class).hget("tally:{auth}:names", name));

        // It works, and neither the list nor a second look ever shows the secret or its hash again.
        assertEquals(200, Http.at(app).post("/api/v1/counters/" + Unique.name("c") + "/increment", null,
                bearer(key)).statusCode());
        HttpResponse<String> list = keys.list();
        assertEquals(200, list.statusCode());
        assertFalse(list.body().contains(secret), "the list shows no secret");
        assertFalse(list.body().contains(sha256), "the list shows no hash");
        JsonNode listed = null;
        for (JsonNode item : json(list.body()).path("items")) {
            if (item.path("name").asText().equals(name)) {
                listed = item;
            }
        }
        assertNotNull(listed, "listed: " + list.body());
        assertEquals(List.of("name", "scopes", "createdAt", "expiresAt", "lastUsedAt"), fieldNames(listed));
        assertFalse(listed.path("lastUsedAt").isNull(), "the first use is recorded: " + listed);
    }

    @Test
    void aRevokedKeyIsGoneFromRedisAndTheListAndASecondRevokeIs404() {
        String name = Unique.name("revoke");
        String key = keys.create(name, "counters:write");
        String id = key.split("\\.")[1];
        HttpResponse<String> revoked = keys.revoke(name);
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertFalse(redis.key().exists("tally:{auth}:key:" + id));
        assertNull(redis.hash(String.class).hget("tally:{auth}:names", name));
        assertFalse(keys.list().body().contains("\"" + name + "\""));
        assertProblem(keys.revoke(name), 404, tally("api-key-not-found"));
        assertProblem(keys.revoke("bad%20name"), 404, tally("api-key-not-found"));
        // The name is free again, for a new key with a new secret.
        assertFalse(keys.create(name, "counters:write").equals(key));
    }

    @Test
    void badInputIsA4xxProblemAndCreatesNothing() {
        String name = Unique.name("bad");
        List<String> bodies = List.of(
                ApiKeys.body(name, List.of("counters:destroy"), null),
                ApiKeys.body(name, List.of(), null),
                ApiKeys.body("bad name!", List.of("counters:read"), null),
                ApiKeys.body("x".repeat(65), List.of("counters:read"), null),
                ApiKeys.body(name, List.of("counters:read"), Instant.now().minusSeconds(1)),
                "{\"name\":\"" + name + "\",\"scopes\":[\"counters:read\"],\"expiresAt\":\"tomorrow\"}",
                "{\"name\":\"" + name + "\",\"scopes\":[\"counters:read\"],\"admin\":true}",
                "{\"name\":\"" + name + "\",\"scopes\":\"counters:read\"}",
                "{\"name\":42,\"scopes\":[\"counters:read\"]}");
        for (String body : bodies) {
            assertProblem(keys.post(body), 400, tally("invalid-input"));
        }
        for (String body : List.of("", "[]", "{\"name\":", "{\"name\":\"a\",\"name\":\"b\",\"scopes\":[\"work\"]}")) {
            assertProblem(keys.post(body), 400, tally("malformed-json"));
        }
        assertProblem(keys.post("{\"name\":\"" + "x".repeat(5000) + "\"}"), 413, tally("api-key-request-too-large"));
        assertFalse(keys.list().body().contains(name), "nothing was created");

        keys.create(name, "work");
        assertProblem(keys.post(ApiKeys.body(name, List.of("counters:read"), null)), 409, tally("api-key-exists"));
    }

    @Test
    void theAccessLineNamesTheKeyAndNeverItsSecret() throws Exception {
        String name = Unique.name("logged");
        String key = keys.create(name, "counters:write");
        try (LogCapture log = LogCapture.of(AccessLog.CATEGORY)) {
            HttpResponse<String> keyed = Http.at(app).post("/api/v1/counters/" + Unique.name("c") + "/increment",
                    null, bearer(key));
            HttpResponse<String> anonymous = Http.at(app).get("/api/v1/counters/" + Unique.name("c"));
            String keyedLine = log.await(m -> m.contains(requestId(keyed)), Duration.ofSeconds(5));
            String anonymousLine = log.await(m -> m.contains(requestId(anonymous)), Duration.ofSeconds(5));
            assertEquals(name, json(keyedLine).path("caller").asText(), keyedLine);
            assertEquals("anonymous", json(anonymousLine).path("caller").asText(), anonymousLine);
            String secret = key.split("\\.")[2];
            log.messages().forEach(line -> assertFalse(line.contains(secret), "a log line holds the secret"));
        }
    }

    private static String requestId(HttpResponse<String> response) {
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
