package dev.tally.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** A client that goes away takes its work with it: blocking calls are interrupted, computations cancelled. */
@QuarkusTest
class ClientDisconnectTest {

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void aClientLeavingA10SecondBlockingCallStopsItsWork() throws Exception {
        double completedBefore = metric("tally_work_blocking_completed_total");
        double cancelledBefore = metric("tally_requests_cancelled_total");
        long started;
        try (Socket client = new Socket(app.getHost(), app.getPort())) {
            client.getOutputStream().write(("GET /api/v1/work/blocking?ms=10000 HTTP/1.1\r\nHost: " + app.getHost()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            awaitMetric("tally_work_blocking_in_flight", 1, Duration.ofSeconds(5));
            started = System.nanoTime();
        } // the client goes away here, long before the 10 s are up
        awaitMetric("tally_work_blocking_in_flight", 0, Duration.ofSeconds(1));
        long stoppedMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(metric("tally_requests_cancelled_total") >= cancelledBefore + 1, "the cancellation was counted");
        // Give the call time it would have needed to complete, had it not been stopped... it must not.
        Pause.of(Duration.ofSeconds(2));
        assertEquals(completedBefore, metric("tally_work_blocking_completed_total"),
                "the abandoned call never completed (in-flight dropped " + stoppedMs + " ms after the client left)");
    }

    @Test
    void aClientLeavingALongCpuCallStopsTheComputation() throws Exception {
        double cancelledBefore = metric("tally_requests_cancelled_total");
        try (Socket client = new Socket(app.getHost(), app.getPort())) {
            client.getOutputStream().write(("GET /api/v1/work/cpu?iterations=5000000 HTTP/1.1\r\nHost: "
                    + app.getHost() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            awaitMetric("tally_work_cpu_in_flight", 1, Duration.ofSeconds(5));
        }
        awaitMetric("tally_work_cpu_in_flight", 0, Duration.ofSeconds(1));
        assertTrue(metric("tally_requests_cancelled_total") >= cancelledBefore + 1, "the cancellation was counted");
    }

    private double metric(String name) throws Exception {
        String text = Http.at(management.toURI()).get("metrics").body();
        return text.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private void awaitMetric(String name, double expected, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (metric(name) != expected) {
            assertTrue(System.nanoTime() < deadline, name + " did not reach " + expected + " within " + within);
            Pause.of(Duration.ofMillis(20));
        }
    }
}
