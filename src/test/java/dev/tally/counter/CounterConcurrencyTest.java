package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.RetryingClient;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Increments are atomic in Redis: concurrent clients never lose or double an update. Where a test asserts an exact
 * total, its clients behave as the README tells clients to: each increment carries its own Idempotency-Key and is
 * sent again on a 503 (which the design allows when the machine is overloaded), so a 503 is not a lost request,
 * while a lost or doubled update still fails the total. Increments without a key are checked for what they promise:
 * every 200 counted exactly once, and a 503 (its outcome unknown to the client) counted at most once.
 */
@QuarkusTest
class CounterConcurrencyTest {

    @TestHTTPResource("/")
    URI app;

    @Test
    void twoThousandIncrementsFromSixtyFourClientsSumExactly() {
        String name = Unique.name("race");
        Http http = Http.at(app);
        String path = "/api/v1/counters/" + name + "/increment";

        RetryingClient client = new RetryingClient(10);

        List<HttpResponse<String>> replies = Concurrently.run(2000, 64, Duration.ofSeconds(180),
                i -> client.send(() -> http.post(path, "{}", "Idempotency-Key", name + "-" + i)));

        Set<Long> seen = new HashSet<>();
        for (HttpResponse<String> reply : replies) {
            assertEquals(200, reply.statusCode(), reply.body());
            seen.add(JsonPath.from(reply.body()).getLong("value"));
        }
        // Every increment got its own distinct intermediate value: 1..2000, each exactly once (a retried one
        // repeats the first result for its key).
        assertEquals(2000, seen.size(), "retried: " + client.retries());
        assertEquals(1L, seen.stream().mapToLong(Long::longValue).min().orElseThrow());
        assertEquals(2000L, seen.stream().mapToLong(Long::longValue).max().orElseThrow());
        assertEquals(2000, value(name));
    }

    @Test
    void concurrentMixedAmountsSumExactly() {
        String name = Unique.name("race-mixed");
        Http http = Http.at(app);
        String path = "/api/v1/counters/" + name + "/increment";

        RetryingClient client = new RetryingClient(10);

        // 500 requests: +3 for even i, -1 for odd i -> 250 * 3 - 250 = 500.
        Concurrently.run(500, 32, Duration.ofSeconds(120), i -> {
            HttpResponse<String> reply = client.send(() -> http.post(path, "{\"by\": " + (i % 2 == 0 ? 3 : -1) + "}",
                    "Idempotency-Key", name + "-" + i));
            assertEquals(200, reply.statusCode(), reply.body());
            return reply;
        });
        assertEquals(500, value(name), "retried: " + client.retries());
    }

    @Test
    void incrementsWithoutAKeyAreNeverLostNorDoubled() {
        String name = Unique.name("race-plain");
        Http http = Http.at(app);
        String path = "/api/v1/counters/" + name + "/increment";

        List<HttpResponse<String>> replies = Concurrently.run(1000, 32, Duration.ofSeconds(120),
                i -> http.post(path, null));

        Map<Integer, Long> statuses = new TreeMap<>(replies.stream()
                .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting())));
        long answered = statuses.getOrDefault(200, 0L);
        long unknown = statuses.getOrDefault(503, 0L);
        assertEquals(1000, answered + unknown, "only 200s, and 503s the design allows under overload: " + statuses);
        Set<Long> seen = replies.stream().filter(reply -> reply.statusCode() == 200)
                .map(reply -> JsonPath.from(reply.body()).getLong("value")).collect(Collectors.toSet());
        assertEquals(answered, seen.size(), "every 200 saw its own value");
        long total = value(name);
        assertTrue(total >= answered && total <= answered + unknown,
                "total " + total + ": every 200 counted once, a 503 at most once; " + statuses);
    }
}
