package dev.tally.counter;

import static dev.tally.counter.CounterResourceTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Increments are atomic in Redis: concurrent clients never lose or double an update. */
@QuarkusTest
class CounterConcurrencyTest {

    @TestHTTPResource("/")
    URI app;

    @Test
    void twoThousandIncrementsFromSixtyFourClientsSumExactly() {
        String name = Unique.name("race");
        Http http = Http.at(app);
        String path = "/api/v1/counters/" + name + "/increment";

        List<HttpResponse<String>> replies = Concurrently.run(2000, 64, Duration.ofSeconds(180),
                i -> http.post(path, "{}"));

        Set<Long> seen = new HashSet<>();
        for (HttpResponse<String> reply : replies) {
            assertEquals(200, reply.statusCode(), reply.body());
            seen.add(JsonPath.from(reply.body()).getLong("value"));
        }
        // Every increment got its own distinct intermediate value: 1..2000, each exactly once.
        assertEquals(2000, seen.size());
        assertEquals(1L, seen.stream().mapToLong(Long::longValue).min().orElseThrow());
        assertEquals(2000L, seen.stream().mapToLong(Long::longValue).max().orElseThrow());
        assertEquals(2000, value(name));
    }

    @Test
    void concurrentMixedAmountsSumExactly() {
        String name = Unique.name("race-mixed");
        Http http = Http.at(app);
        String path = "/api/v1/counters/" + name + "/increment";

        // 500 requests: +3 for even i, -1 for odd i -> 250 * 3 - 250 = 500.
        Concurrently.run(500, 32, Duration.ofSeconds(120), i -> {
            HttpResponse<String> reply = http.post(path, "{\"by\": " + (i % 2 == 0 ? 3 : -1) + "}");
            assertEquals(200, reply.statusCode(), reply.body());
            return reply;
        });
        assertEquals(500, value(name));
    }
}
