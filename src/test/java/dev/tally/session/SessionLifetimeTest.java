package dev.tally.session;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.redis.Keys;
import dev.tally.testsupport.Pause;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The absolute lifetime beside the sliding one ({@code tally.session.max-lifetime}, 10 min here). Rather than wait
 * for it, a test moves a session's creation time back in Redis (as {@code SessionExpiryTest} shortens a TTL), so
 * its lifetime ends a second from now, then keeps using it: every use slides its 30-minute idle expiry, yet never
 * past the end, and once the end passes the session is gone.
 */
@QuarkusTest
@TestProfile(ShortLivedPlainSessions.class)
class SessionLifetimeTest {

    private static final String COOKIE = SessionCookies.BASE_NAME;
    private static final long LIFETIME = ShortLivedPlainSessions.MAX_LIFETIME_MILLIS;

    @Inject
    RedisDataSource redis;

    @Inject
    Keys keys;

    private String create() {
        Response created = given().contentType(ContentType.JSON).body("{\"a\":1}").post("/api/v1/sessions");
        created.then().statusCode(201);
        Instant createdAt = Instant.parse(created.jsonPath().getString("createdAt"));
        assertEquals(createdAt.plusMillis(LIFETIME).toString(), created.jsonPath().getString("expiresAt"),
                "a lifetime shorter than the idle TTL is the expiry");
        long pttl = redis.execute("PTTL", keys.session(created.getCookie(COOKIE))).toLong();
        assertTrue(pttl > 0 && pttl <= LIFETIME, "PTTL " + pttl + " is not the 30-minute idle TTL");
        return created.getCookie(COOKIE);
    }

    /** Makes the session look created {@code ago} earlier than now; returns when its lifetime ends. */
    private Instant createdAgo(String id, Duration ago) {
        Instant created = Instant.now().minus(ago).truncatedTo(java.time.temporal.ChronoUnit.MILLIS); // as stored
        redis.execute("HSET", keys.session(id), "m:created", Long.toString(created.toEpochMilli()));
        return created.plusMillis(LIFETIME);
    }

    @Test
    void aSessionInConstantUseEndsAtItsAbsoluteLifetime() {
        String id = create();
        Instant end = createdAgo(id, Duration.ofMillis(LIFETIME - 1_000));
        int uses = 0;
        Response last;
        do {
            last = given().cookie(COOKIE, id).post("/api/v1/sessions/current/visits");
            if (last.statusCode() == 200) {
                uses++;
                long left = redis.execute("PTTL", keys.session(id)).toLong();
                assertTrue(left <= 1_000, "a use slid the expiry past the lifetime's end: PTTL " + left);
                Pause.of(Duration.ofMillis(50));
            }
        } while (last.statusCode() == 200 && Instant.now().isBefore(end.plusSeconds(10)));

        assertEquals(404, last.statusCode(), "still alive 10 s past its lifetime after " + uses + " uses");
        assertTrue(!Instant.now().isBefore(end), "ended before its lifetime");
        assertEquals(0, redis.execute("EXISTS", keys.session(id)).toInteger(), "the key is gone with it");
    }

    @Test
    void pastItsLifetimeASessionIsGoneForEveryUseAndItsKeyWithIt() {
        for (String use : new String[] { "read", "visit", "patch" }) {
            String id = create();
            createdAgo(id, Duration.ofMillis(LIFETIME + 1));
            Response answer = switch (use) {
                case "read" -> given().cookie(COOKIE, id).get("/api/v1/sessions/current");
                case "visit" -> given().cookie(COOKIE, id).post("/api/v1/sessions/current/visits");
                default -> given().cookie(COOKIE, id).contentType("application/merge-patch+json").body("{\"b\":1}")
                        .patch("/api/v1/sessions/current");
            };
            assertEquals(404, answer.statusCode(), use + ": " + answer.asString());
            assertEquals(0, redis.execute("EXISTS", keys.session(id)).toInteger(), use + " left the key");
        }
    }

    @Test
    void withinItsLifetimeAReadShowsTheEarlierOfTheSlidingAndTheAbsoluteEnd() {
        String id = create();
        Instant end = createdAgo(id, Duration.ofMillis(LIFETIME - 60_000));
        Response read = given().cookie(COOKIE, id).get("/api/v1/sessions/current");
        read.then().statusCode(200);
        assertEquals(end.toString(), read.jsonPath().getString("expiresAt"));
    }
}
