package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code /ops/hangs}, the console's panel: a real deadlock of two virtual threads shows with both threads' names,
 * the lock each waits for and its owner, and their stacks; a request blocked past {@code tally.ops.stuck-threshold}
 * (2 s in the test profile) shows with its serving thread's stack, a short one never does; once the deadlock is
 * broken and the request has ended, both lists are empty again.
 */
@QuarkusTest
class HangRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEFT = "hangs-test-left";
    private static final String RIGHT = "hangs-test-right";

    @Inject
    DeadlockMaker maker;

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void theDeadlockAndTheStuckRequestWithTheirStacks() throws Exception {
        Http http = Http.at(app.toURI());
        Http ops = Http.at(management.toURI()).withBearer(OpsToken.ofTestApplication());
        String stuckId = Unique.name("hangs-stuck");
        String shortId = Unique.name("hangs-short");
        assertEquals(0, hangs(ops).path("deadlocked").size(), "the control: no deadlock before");

        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(
                () -> http.get("/api/v1/work/blocking?ms=8000", "X-Request-Id", stuckId));
        assertEquals(200, http.get("/api/v1/work/blocking?ms=100", "X-Request-Id", shortId).statusCode());
        JsonNode seen;
        try (DeadlockMaker.Deadlock deadlock = maker.virtualOnLocks(LEFT, RIGHT)) {
            seen = await(ops, body -> names(body.path("deadlocked")).containsAll(List.of(LEFT, RIGHT))
                    && requestIds(body).contains(stuckId));
            for (JsonNode thread : seen.path("deadlocked")) {
                String other = thread.path("name").asText().equals(LEFT) ? RIGHT : LEFT;
                assertTrue(thread.path("virtual").asBoolean(), thread.toString());
                assertEquals("WAITING", thread.path("state").asText(), thread.toString());
                assertEquals("parked on", thread.path("waitKind").asText(), thread.toString());
                assertTrue(thread.path("waitingOn").asText().startsWith("java.util.concurrent.locks.ReentrantLock"),
                        thread.toString());
                assertTrue(thread.path("lockOwner").asText().contains("\"" + other + "\""), thread.toString());
                assertTrue(hasFrame(thread, "dev.tally.ops.DeadlockMaker.lockInOrder("), thread.toString());
            }
        }
        JsonNode stuck = StreamSupport.stream(seen.path("stuck").spliterator(), false)
                .filter(request -> request.path("requestId").asText().equals(stuckId)).findFirst().orElseThrow();
        assertEquals("/api/v1/work/blocking", stuck.path("path").asText());
        assertTrue(stuck.path("ageMs").asLong() >= seen.path("stuckThresholdMs").asLong(), stuck.toString());
        assertEquals(2000, seen.path("stuckThresholdMs").asLong());
        assertTrue(hasFrame(stuck, "dev.tally.work.BlockingWork.block("), stuck.toString());
        assertTrue(!requestIds(seen).contains(shortId), "a short request is never stuck");

        assertEquals(200, slow.join().statusCode());
        JsonNode after = await(ops, body -> body.path("deadlocked").isEmpty() && !requestIds(body).contains(stuckId));
        assertEquals(0, after.path("deadlocked").size(), after.toString());
    }

    private static boolean hasFrame(JsonNode node, String frame) {
        return StreamSupport.stream(node.path("stack").spliterator(), false).anyMatch(f -> f.asText().contains(frame));
    }

    private static List<String> names(JsonNode threads) {
        return threads.findValuesAsText("name");
    }

    private static List<String> requestIds(JsonNode body) {
        return body.path("stuck").findValuesAsText("requestId");
    }

    private static JsonNode hangs(Http ops) throws Exception {
        HttpResponse<String> response = ops.get("/ops/hangs");
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** Polls until {@code expected} holds; the deadlock scan runs every second, the watchdog every 100 ms. */
    private static JsonNode await(Http ops, Predicate<JsonNode> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode body = hangs(ops);
        while (!expected.test(body)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/ops/hangs never showed what was expected: " + body);
            }
            Pause.of(Duration.ofMillis(100));
            body = hangs(ops);
        }
        return body;
    }
}
