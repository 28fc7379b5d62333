package dev.tally.session;

import static dev.tally.session.Sessions.create;
import static dev.tally.session.Sessions.patch;
import static dev.tally.session.Sessions.read;
import static dev.tally.session.Sessions.visit;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.tally.redis.Keys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Sliding expiry, checked where it lives: the session hash's TTL in the real Redis. Redis is used directly only
 * to observe the TTL and to make a session expire now (instead of sleeping for it).
 */
@QuarkusTest
class SessionExpiryTest {

    private static final long TTL_MILLIS = Duration.ofMinutes(30).toMillis();

    @Inject
    RedisDataSource redis;

    @Inject
    Keys keys;

    private long pttl(String id) {
        return redis.execute("PTTL", keys.session(id)).toLong();
    }

    private void shortenTtl(String id, long millis) {
        assertEquals(1, redis.execute("PEXPIRE", keys.session(id), Long.toString(millis)).toInteger());
        assertTrue(pttl(id) <= millis);
    }

    private static void assertFullTtl(long pttl) {
        assertTrue(pttl > TTL_MILLIS - 60_000 && pttl <= TTL_MILLIS, "PTTL " + pttl + " is the full 30 minutes");
    }

    @Test
    void aNewSessionLivesForTheConfiguredTtl() {
        assertFullTtl(pttl(create(null)));
    }

    @Test
    void expiresAtMovesForwardOnEveryReadAndCreatedAtStays() {
        String id = create("{\"a\":1}");
        Response first = read(id);
        Response second = read(id);
        first.then().statusCode(200);
        second.then().statusCode(200);
        assertEquals(first.jsonPath().getString("createdAt"), second.jsonPath().getString("createdAt"));
        Instant firstExpiry = Instant.parse(first.jsonPath().getString("expiresAt"));
        Instant secondExpiry = Instant.parse(second.jsonPath().getString("expiresAt"));
        assertTrue(secondExpiry.isAfter(firstExpiry), firstExpiry + " then " + secondExpiry);
    }

    @Test
    void readSlidesTheExpiry() {
        String id = create(null);
        shortenTtl(id, 60_000);
        read(id).then().statusCode(200);
        assertFullTtl(pttl(id));
    }

    @Test
    void aVisitSlidesTheExpiry() {
        String id = create(null);
        shortenTtl(id, 60_000);
        visit(id).then().statusCode(200);
        assertFullTtl(pttl(id));
    }

    @Test
    void aPatchSlidesTheExpiry() {
        String id = create(null);
        shortenTtl(id, 60_000);
        patch(id, "{\"a\":1}").then().statusCode(200);
        assertFullTtl(pttl(id));
    }

    @Test
    void anExpiredSessionIsSimplyNoSession() {
        String id = create("{\"a\":1}");
        // An expiry time in the past removes the key at once: exactly what Redis does when the TTL runs out.
        assertEquals(1, redis.execute("PEXPIREAT", keys.session(id), "1").toInteger());

        JsonNode expired = assertProblem(read(id), 404, tally("no-session"));
        JsonNode unknown = assertProblem(read("AAAAAAAAAAAAAAAAAAAAAA"), 404, tally("no-session"));
        ((ObjectNode) expired).remove("requestId");
        ((ObjectNode) unknown).remove("requestId");
        assertEquals(unknown, expired);
        assertProblem(visit(id), 404, tally("no-session"));
        // Using an expired session must not bring its key back.
        assertEquals(0, redis.execute("EXISTS", keys.session(id)).toInteger());
    }
}
