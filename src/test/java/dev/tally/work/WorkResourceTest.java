package dev.tally.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.PrometheusMetrics;
import dev.tally.testsupport.Problems;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The demo work endpoints on a real app. The test profile sets small bulkheads (blocking: 4 at once; CPU: 1
 * running plus 1 waiting) so that shedding can be shown with a handful of requests.
 */
@QuarkusTest
class WorkResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private PrometheusMetrics metrics() {
        return new PrometheusMetrics(management);
    }

    private Http http() throws Exception {
        return Http.at(app.toURI());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void blockingWorkRunsOnAVirtualThreadForAsLongAsAsked() throws Exception {
        HttpResponse<String> response = http().get("/api/v1/work/blocking?ms=150");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode done = json(response);
        assertEquals("virtual", done.get("thread").asText());
        assertTrue(done.get("tookMs").asLong() >= 150, response.body());
    }

    @Test
    void cpuWorkRunsOnTheCpuPoolAndIsDeterministic() throws Exception {
        JsonNode first = json(http().get("/api/v1/work/cpu?iterations=1000"));
        JsonNode second = json(http().get("/api/v1/work/cpu?iterations=1000"));
        assertEquals("platform (tally-cpu)", first.get("thread").asText());
        assertTrue(first.get("result").asText().matches("[0-9a-f]{64}"), first.toString());
        assertEquals(first.get("result"), second.get("result"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/v1/work/blocking", "/api/v1/work/blocking?ms=", "/api/v1/work/blocking?ms=-1",
            "/api/v1/work/blocking?ms=abc", "/api/v1/work/blocking?ms=30001", "/api/v1/work/cpu?iterations=50000001",
            "/api/v1/work/cpu?iterations=1.5" })
    void outOfBoundsParametersAre400Problems(String target) throws Exception {
        Problems.assertProblem(http().get(target), 400, Problems.tally("invalid-work-parameter"));
    }

    @Test
    void pastTheBlockingBulkheadExtraCallsAreShedAtOnceWhileAdmittedOnesFinish() throws Exception {
        Http http = http();
        // Admitted calls hold the bulkhead for 5 s: long enough that all ten calls arrive while it is full, even
        // on a loaded machine.
        List<long[]> outcomes = Concurrently.run(10, 10, Duration.ofMinutes(1), i -> {
            HttpResponse<String> response = http.get("/api/v1/work/blocking?ms=5000");
            long endedAt = System.nanoTime();
            if (response.statusCode() == 503) {
                Problems.assertProblem(response, 503, Problems.tally("overloaded"));
                assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
            }
            return new long[] { response.statusCode(), endedAt };
        });
        Map<Long, Long> statuses = new TreeMap<>();
        outcomes.forEach(o -> statuses.merge(o[0], 1L, Long::sum));
        assertEquals(Map.of(200L, 4L, 503L, 6L), statuses, "4 admitted (the test bulkhead), 6 shed");
        // Shed at once: every refusal came back before any admitted call had finished, so none waited for a slot.
        long firstAdmittedEnd = outcomes.stream().filter(o -> o[0] == 200).mapToLong(o -> o[1]).min().orElseThrow();
        long lastShedEnd = outcomes.stream().filter(o -> o[0] == 503).mapToLong(o -> o[1]).max().orElseThrow();
        assertTrue(lastShedEnd < firstAdmittedEnd, "a shed call waited for an admitted one to finish");
        assertTrue(metrics().value("tally_requests_shed_total") >= 6);
    }

    @Test
    void pastTheCpuBulkheadAndItsShortQueueExtraCallsAreShed() throws Exception {
        Http http = http();
        List<Integer> statuses = Concurrently.run(6, 6, Duration.ofMinutes(2),
                i -> http.get("/api/v1/work/cpu?iterations=1500000").statusCode());
        assertEquals(2, statuses.stream().filter(s -> s == 200).count(), "1 running + 1 waiting: " + statuses);
        assertEquals(4, statuses.stream().filter(s -> s == 503).count(), statuses.toString());
    }

    @Test
    void theRestOfTheServiceAnswersWhileBlockingWorkHoldsItsBulkhead() throws Exception {
        Http http = http();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> blocked = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                blocked.add(clients.submit(() -> http.get("/api/v1/work/blocking?ms=8000").statusCode()));
            }
            // All four in flight (the gauge), so the bulkhead is full: a fifth call is refused.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (metrics().value("tally_work_blocking_in_flight") < 4) {
                assertTrue(System.nanoTime() < deadline, "the blocking calls never filled the bulkhead");
                Pause.of(Duration.ofMillis(20));
            }
            assertEquals(503, http.get("/api/v1/work/blocking?ms=0").statusCode());
            assertEquals(200, http.get("/").statusCode());
            assertEquals(200, http.get("/api/v1/counters/while-blocked").statusCode());
            // Answered while all four blocking calls still held the bulkhead: nothing waited for blocking work.
            assertEquals(4.0, metrics().value("tally_work_blocking_in_flight"),
                    "the blocking calls were still running");
            for (Future<Integer> call : blocked) {
                assertEquals(200, call.get());
            }
        }
    }
}
