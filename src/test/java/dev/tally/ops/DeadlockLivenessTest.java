package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.PrometheusMetrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A real deadlock turns liveness DOWN (so Kubernetes restarts the pod), names both threads, logs both stacks
 * once, and shows in the gauge; broken again, liveness is UP: the check follows the process, it does not latch.
 */
@QuarkusTest
class DeadlockLivenessTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DeadlockMaker maker;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void aDeadlockTurnsLivenessDownWithinTenSecondsNamingBothThreadsAndLogsBothStacks() throws Exception {
        Http http = Http.at(management.toURI());
        PrometheusMetrics metrics = new PrometheusMetrics(management);
        assertEquals(200, http.get("/q/health/live").statusCode(), "the control: live before the deadlock");
        assertEquals(0, metrics.value("tally_threads_deadlocked"));

        try (LogCapture log = LogCapture.of(DeadlockWatch.class.getName())) {
            long started = System.nanoTime();
            try (DeadlockMaker.Deadlock deadlock = maker.create("deadlock-test-left", "deadlock-test-right")) {
                JsonNode check = awaitLivenessDown(http, Duration.ofSeconds(10));
                System.out.printf("liveness DOWN %d ms after the deadlock formed%n",
                        (System.nanoTime() - started) / 1_000_000);
                String threads = check.path("data").path("threads").asText();
                assertTrue(threads.contains("\"deadlock-test-left\" #" + deadlock.first().threadId()), threads);
                assertTrue(threads.contains("\"deadlock-test-right\" #" + deadlock.second().threadId()), threads);
                assertEquals(2, metrics.value("tally_threads_deadlocked"));

                String logged = log.await(m -> m.startsWith("Deadlock:"), Duration.ofSeconds(5));
                for (String name : new String[] { "deadlock-test-left", "deadlock-test-right" }) {
                    int header = logged.indexOf("\n\"" + name + "\" #"); // the stack section, not the summary
                    assertTrue(header >= 0, name + " in " + logged);
                    String section = logged.substring(header, nextHeader(logged, header));
                    assertTrue(section.contains("parked on java.util.concurrent.locks.ReentrantLock"), section);
                    assertTrue(section.contains("\tat dev.tally.ops.DeadlockMaker.lockInOrder("), section);
                    assertTrue(section.contains("Locked ownable synchronizers:"), section);
                }
                // More scans (each probe scans) do not log the same deadlock again.
                for (int i = 0; i < 3; i++) {
                    assertEquals(503, http.get("/q/health/live").statusCode());
                }
                assertEquals(1, log.messages().stream().filter(m -> m.startsWith("Deadlock:")).count(),
                        "logged once per deadlock");
            }
        }
        assertEquals(200, http.get("/q/health/live").statusCode(), "live again once the deadlock is broken");
        assertEquals(0, metrics.value("tally_threads_deadlocked"));
    }

    private static int nextHeader(String text, int from) {
        int next = text.indexOf("\n\"", from + 1);
        return next < 0 ? text.length() : next;
    }

    private static JsonNode awaitLivenessDown(Http http, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> live = http.get("/q/health/live");
            if (live.statusCode() == 503) {
                for (JsonNode check : JSON.readTree(live.body()).path("checks")) {
                    if (check.path("name").asText().equals("deadlocks")) {
                        assertEquals("DOWN", check.path("status").asText());
                        return check;
                    }
                }
            }
            Pause.of(Duration.ofMillis(100));
        }
        throw new AssertionError("liveness not DOWN within " + within);
    }
}
