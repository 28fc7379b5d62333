package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** After a small mixed load, /q/metrics has the series the runbook and the tuning guide rely on. */
@QuarkusTest
class OpsMetricsTest {

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void theExpectedSeriesAppearAfterASmallLoad() throws Exception {
        Http http = Http.at(app.toURI());
        String counter = "/api/v1/counters/" + Unique.name("metrics");
        for (int i = 0; i < 10; i++) {
            assertEquals(200, http.post(counter + "/increment", null).statusCode());
        }
        assertEquals(200, http.get("/api/v1/work/blocking?ms=1").statusCode());
        assertEquals(200, http.get("/api/v1/work/cpu?iterations=10").statusCode());

        String text = Http.at(management.toURI()).get("/q/metrics", OpsToken.header()).body();
        List<String> expected = List.of(
                // HTTP timers per route template and status
                "http_server_requests_seconds_count\\{[^}]*method=\"POST\"[^}]*status=\"200\"[^}]*"
                        + "uri=\"/api/v1/counters/\\{name\\}/increment\"[^}]*\\} (1\\d|[2-9]\\d|\\d{3,})\\.0",
                "http_server_requests_seconds_count\\{.*status=\"200\".*uri=\"/api/v1/work/blocking\".*",
                // in flight, by the kind of thread serving
                "tally_requests_in_flight\\{thread=\"event-loop\"\\} .*",
                "tally_requests_in_flight\\{thread=\"virtual\"\\} 0\\.0",
                "tally_requests_in_flight\\{thread=\"worker\"\\} .*",
                // queue delay of each kind of thread, and of the event loops themselves
                "tally_requests_dispatch_delay_seconds_count\\{thread=\"virtual\"\\} [1-9].*",
                "tally_requests_dispatch_delay_seconds_count\\{thread=\"event-loop\"\\} [1-9].*",
                "tally_eventloop_delay_seconds_count [1-9].*",
                "tally_eventloop_delay_seconds_max .*",
                // worker pools (Vert.x binder)
                "worker_pool_active\\{.*",
                "worker_pool_queue_delay_seconds_count\\{.*",
                // Redis pool: in use, waiting, and the wait for a connection
                "redis_pool_active\\{.*",
                "redis_pool_queue_size\\{.*",
                "redis_pool_queue_delay_seconds_count\\{.*",
                // guards and diagnostics
                "tally_requests_shed_total .*",
                "tally_requests_cancelled_total .*",
                "tally_requests_timed_out_total .*",
                "tally_requests_stuck_total .*",
                "tally_threads_deadlocked 0\\.0",
                "tally_work_blocking_in_flight .*",
                "tally_work_cpu_in_flight .*");
        for (String series : expected) {
            Pattern line = Pattern.compile(series);
            assertTrue(text.lines().anyMatch(l -> line.matcher(l).matches()), "no line matches " + series);
        }
    }
}
