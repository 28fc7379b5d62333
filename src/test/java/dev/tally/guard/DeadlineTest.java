package dev.tally.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.PrometheusMetrics;
import dev.tally.testsupport.Problems;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Deadlines on a real app: honoured, clamped, validated, and the work past them really stops. */
@QuarkusTest
class DeadlineTest {

    /** How long the blocking call would run without its deadline. */
    private static final long WORK_MS = 5000;

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private PrometheusMetrics metrics() {
        return new PrometheusMetrics(management);
    }

    @Test
    void blockingWorkPastItsDeadlineIs504AndStops() throws Exception {
        Http http = Http.at(app.toURI());
        double completedBefore = metrics().value("tally_work_blocking_completed_total");
        double timedOutBefore = metrics().value("tally_requests_timed_out_total");

        long started = System.nanoTime();
        HttpResponse<String> response = http.get("/api/v1/work/blocking?ms=" + WORK_MS, "X-Request-Timeout", "300");
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        Problems.assertProblem(response, 504, Problems.tally("deadline-exceeded"));
        // At the deadline, not when the work would have ended (a loaded machine may add a second or two to 300 ms).
        assertTrue(tookMs < WORK_MS / 2, "answered after " + tookMs + " ms, not at the 300 ms deadline");
        assertTrue(metrics().value("tally_requests_timed_out_total") >= timedOutBefore + 1);
        metrics().await("tally_work_blocking_in_flight", 0, Duration.ofSeconds(3));
        // Had the sleep gone on, it would have completed by now.
        Pause.of(Duration.ofMillis(WORK_MS + 500 - tookMs));
        assertEquals(completedBefore, metrics().value("tally_work_blocking_completed_total"),
                "the stopped call never completed");
    }

    @Test
    void cpuWorkPastItsDeadlineIs504AndFreesItsSlot() throws Exception {
        Http http = Http.at(app.toURI());
        // 50 M rounds take about 25 s here: only a cancelled computation frees the slot in time.
        HttpResponse<String> response = http.get("/api/v1/work/cpu?iterations=50000000", "X-Request-Timeout", "200");
        Problems.assertProblem(response, 504, Problems.tally("deadline-exceeded"));
        // The test profile admits one CPU call at a time: the next one runs only if the first really stopped.
        long started = System.nanoTime();
        assertEquals(200, http.get("/api/v1/work/cpu?iterations=1000").statusCode());
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        // Had the first kept running, the next would have waited in the queue for most of its 25 s.
        assertTrue(tookMs < 5000, "the next CPU call waited " + tookMs + " ms: the cancelled one kept running");
    }

    @Test
    void aLongerHeaderThanTheBudgetIsClampedNotRefused() throws Exception {
        HttpResponse<String> response = Http.at(app.toURI())
                .get("/api/v1/work/blocking?ms=50", "X-Request-Timeout", "999999999");
        assertEquals(200, response.statusCode(), response.body());
    }

    @ParameterizedTest
    @ValueSource(strings = { "abc", "0", "-5", "1.5", "9999999999", "10ms", " " })
    void garbageTimeoutHeadersAre400Problems(String header) throws Exception {
        HttpResponse<String> response = Http.at(app.toURI())
                .get("/api/v1/counters/deadline-probe", "X-Request-Timeout", header);
        Problems.assertProblem(response, 400, Problems.tally("invalid-request-timeout"));
    }
}
