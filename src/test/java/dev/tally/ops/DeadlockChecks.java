package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.PrometheusMetrics;

/**
 * What every kind of deadlock must show on the management port, as an operator and Kubernetes see it: liveness
 * DOWN within 10 s naming both threads, both stacks logged once, the gauge, the thread dump marking them.
 */
final class DeadlockChecks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WITHIN = Duration.ofSeconds(10);

    private final Http http;
    private final PrometheusMetrics metrics;

    DeadlockChecks(URL management) throws Exception {
        this.http = Http.at(management.toURI()).withBearer(OpsToken.ofTestApplication());
        this.metrics = new PrometheusMetrics(management);
    }

    void assertHealthy() throws Exception {
        assertEquals(200, http.get("/q/health/live").statusCode(), http.get("/q/health/live").body());
        assertEquals(0, metrics.value("tally_threads_deadlocked"));
    }

    /**
     * @param waits for each thread, the line its stack section must show (what it waits for), in order
     * @param frame a frame of the code that made the deadlock, which both stacks must show
     */
    void assertReported(LogCapture log, DeadlockMaker.Deadlock deadlock, String frame, String... waits)
            throws Exception {
        long started = System.nanoTime();
        JsonNode check = awaitLivenessDown();
        System.out.printf("liveness DOWN %d ms after the deadlock formed%n", (System.nanoTime() - started) / 1_000_000);
        Thread[] threads = { deadlock.first(), deadlock.second() };
        String named = check.path("data").path("threads").asText();
        for (Thread thread : threads) {
            assertTrue(named.contains(header(thread)), named);
        }
        assertEquals(2, metrics.value("tally_threads_deadlocked"));

        String logged = log.await(m -> m.startsWith("Deadlock:"), Duration.ofSeconds(5));
        for (int i = 0; i < threads.length; i++) {
            int at = logged.indexOf("\n" + header(threads[i]) + (threads[i].isVirtual() ? " virtual " : " "));
            assertTrue(at >= 0, threads[i].getName() + " in " + logged);
            String section = logged.substring(at, nextHeader(logged, at));
            assertTrue(section.contains("(deadlocked)"), section);
            assertTrue(section.contains(waits[i]), waits[i] + " in " + section);
            assertTrue(section.contains("held by " + header(threads[1 - i])), section);
            assertTrue(section.contains("\tat " + frame), section);
        }
        String dump = http.get("/ops/threads").body();
        for (Thread thread : threads) {
            assertTrue(dump.matches("(?s).*\n" + java.util.regex.Pattern.quote(header(thread))
                    + "( virtual)? [A-Z_]+ \\(deadlocked\\).*"), "marked in the dump: " + thread.getName());
        }
        for (int i = 0; i < 3; i++) { // more scans (each probe scans) do not log the same deadlock again
            assertEquals(503, http.get("/q/health/live").statusCode());
        }
        assertEquals(1, log.messages().stream().filter(m -> m.startsWith("Deadlock:")).count(),
                "logged once per deadlock");
    }

    /** Probes as Kubernetes would, a little faster; fails unless liveness is DOWN within 10 s. */
    JsonNode awaitLivenessDown() throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
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
        throw new AssertionError("liveness not DOWN within " + WITHIN);
    }

    int liveStatus() throws Exception {
        return http.get("/q/health/live").statusCode();
    }

    double deadlockedGauge() {
        return metrics.value("tally_threads_deadlocked");
    }

    private static String header(Thread thread) {
        return "\"" + thread.getName() + "\" #" + thread.threadId();
    }

    private static int nextHeader(String text, int from) {
        int next = text.indexOf("\n\"", from + 1);
        return next < 0 ? text.length() : next;
    }
}
