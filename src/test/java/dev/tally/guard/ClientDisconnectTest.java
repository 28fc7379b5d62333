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
import dev.tally.testsupport.PrometheusMetrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** A client that goes away takes its work with it: blocking calls are interrupted, computations cancelled. */
@QuarkusTest
class ClientDisconnectTest {

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private PrometheusMetrics metrics() {
        return new PrometheusMetrics(management);
    }

    @Test
    void aClientLeavingA10SecondBlockingCallStopsItsWork() throws Exception {
        double completedBefore = metrics().value("tally_work_blocking_completed_total");
        double cancelledBefore = metrics().value("tally_requests_cancelled_total");
        long started;
        try (Socket client = new Socket(app.getHost(), app.getPort())) {
            client.getOutputStream().write(("GET /api/v1/work/blocking?ms=10000 HTTP/1.1\r\nHost: " + app.getHost()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            metrics().await("tally_work_blocking_in_flight", 1, Duration.ofSeconds(5));
            started = System.nanoTime();
        } // the client goes away here, long before the 10 s are up
        metrics().await("tally_work_blocking_in_flight", 0, Duration.ofSeconds(1));
        long stoppedMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(metrics().value("tally_requests_cancelled_total") >= cancelledBefore + 1, "the cancellation was counted");
        // Give the call time it would have needed to complete, had it not been stopped... it must not.
        Pause.of(Duration.ofSeconds(2));
        assertEquals(completedBefore, metrics().value("tally_work_blocking_completed_total"),
                "the abandoned call never completed (in-flight dropped " + stoppedMs + " ms after the client left)");
    }

    @Test
    void aClientLeavingALongCpuCallStopsTheComputation() throws Exception {
        double cancelledBefore = metrics().value("tally_requests_cancelled_total");
        try (Socket client = new Socket(app.getHost(), app.getPort())) {
            client.getOutputStream().write(("GET /api/v1/work/cpu?iterations=50000000 HTTP/1.1\r\nHost: "
                    + app.getHost() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            metrics().await("tally_work_cpu_in_flight", 1, Duration.ofSeconds(5));
        }
        // The 50 M rounds asked for would take about 25 s if not cancelled.
        metrics().await("tally_work_cpu_in_flight", 0, Duration.ofSeconds(3));
        assertTrue(metrics().value("tally_requests_cancelled_total") >= cancelledBefore + 1, "the cancellation was counted");
    }
}
