package dev.tally.auth;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ApiKeys;
import dev.tally.testsupport.Unique;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The per-caller quota (auth/Quota) on a real Redis: exactly the configured number of concurrent requests pass in
 * a window, the rest get a 429 with {@code Retry-After} and the RateLimit fields; keys and addresses are counted
 * apart; the next window admits again; the counters expire with their window.
 */
@QuarkusTest
@TestProfile(QuotaTest.SmallQuota.class)
class QuotaTest {

    static final int KEY_RATE = 5;
    static final int ANONYMOUS_RATE = 3;
    /** Requests fired at once: well above both rates, few enough to be sent within one window. */
    static final int HAMMER = 24;

    /** Small rates on a key space of its own. */
    public static class SmallQuota implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return config();
        }

        /** Also for the reruns on a topology, which need a profile of their own ({@code QuotaOnClusterTest}). */
        static Map<String, String> config() {
            return Map.of("tally.auth.quota.key-rate", Integer.toString(KEY_RATE),
                    "tally.auth.quota.anonymous-rate", Integer.toString(ANONYMOUS_RATE),
                    // Exact counts need every check answered, however loaded the machine (fail-open passes one).
                    "tally.auth.quota.check-timeout", "5s",
                    "tally.redis.key-prefix", Unique.name("quota") + ":");
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    RedisDataSource redis;

    @ConfigProperty(name = "tally.redis.key-prefix")
    String prefix;

    @TestHTTPResource("/")
    URI app;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Test
    void exactlyTheKeysRatePassesInAWindowAndTheRestGet429WithTheFields() throws Exception {
        String key = ApiKeys.at(management).create(Unique.name("hammer"), "counters:read");
        List<HttpResponse<String>> answers = hammerOneWindow(windowKeyOf(key), "Authorization", "Bearer " + key);

        List<HttpResponse<String>> passed = answers.stream().filter(a -> a.statusCode() == 200).toList();
        List<HttpResponse<String>> refused = answers.stream().filter(a -> a.statusCode() != 200).toList();
        assertEquals(KEY_RATE, passed.size(), "admitted in one window");
        assertEquals(HAMMER - KEY_RATE, refused.size());
        for (HttpResponse<String> answer : passed) {
            assertEquals("\"key\";q=" + KEY_RATE + ";w=1", header(answer, "RateLimit-Policy"));
            assertTrue(header(answer, "RateLimit").matches("\"key\";r=[0-4];t=1"), header(answer, "RateLimit"));
        }
        for (HttpResponse<String> answer : refused) {
            JsonNode problem = assertProblem(answer, 429, tally("rate-limited"));
            // After tagging in the pipeline (pipeline/RequestPipeline): the refusal carries the request's id.
            assertEquals(problem.path("requestId").asText(), header(answer, "X-Request-Id"));
            assertEquals("1", header(answer, "Retry-After"));
            assertEquals("\"key\";q=" + KEY_RATE + ";w=1", header(answer, "RateLimit-Policy"));
            assertEquals("\"key\";r=0;t=1", header(answer, "RateLimit"));
        }
    }

    @Test
    void twoKeysAreCountedApart() throws Exception {
        String first = ApiKeys.at(management).create(Unique.name("first"), "counters:read");
        String second = ApiKeys.at(management).create(Unique.name("second"), "counters:read");
        hammerOneWindow(windowKeyOf(first), "Authorization", "Bearer " + first);
        HttpResponse<String> other = get("Authorization", "Bearer " + second);
        assertEquals(200, other.statusCode(), other.body());
        assertEquals("\"key\";r=" + (KEY_RATE - 1) + ";t=1", header(other, "RateLimit"));
    }

    @Test
    void anonymousCallersAreLimitedByTheirForwardedAddress() throws Exception {
        // The test client is a trusted proxy (quarkus.http.proxy.trusted-proxies): its X-Forwarded-For counts.
        List<HttpResponse<String>> answers = hammerOneWindow(prefix + "{q:addr-10.9.8.7}", "X-Forwarded-For",
                "10.9.8.7");
        assertEquals(ANONYMOUS_RATE, answers.stream().filter(a -> a.statusCode() == 200).count());
        assertProblem(answers.stream().filter(a -> a.statusCode() == 429).findFirst().orElseThrow(), 429,
                tally("rate-limited"));
        HttpResponse<String> elsewhere = get("X-Forwarded-For", "10.9.8.6");
        assertEquals(200, elsewhere.statusCode(), "another address has its own quota");
        assertEquals("\"anonymous\";q=" + ANONYMOUS_RATE + ";w=1", header(elsewhere, "RateLimit-Policy"));
    }

    @Test
    void whenTheWindowEndsItsCounterIsGoneAndRequestsPassAgain() throws Exception {
        String key = ApiKeys.at(management).create(Unique.name("window"), "counters:read");
        String window = windowKeyOf(key);
        hammerOneWindow(window, "Authorization", "Bearer " + key);
        assertEquals(429, get("Authorization", "Bearer " + key).statusCode());
        long pttl = redis.key().pttl(window);
        assertTrue(pttl > 0 && pttl <= 1000, "the window's counter expires within the window: " + pttl + " ms");
        awaitGone(window);
        HttpResponse<String> again = get("Authorization", "Bearer " + key);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals("\"key\";r=" + (KEY_RATE - 1) + ";t=1", header(again, "RateLimit"));
    }

    /**
     * Fires {@link #HAMMER} requests at once, all in one window of {@code windowKey}: starts with no counter, and
     * checks afterwards that Redis counted every request in that one window (else the window ended mid-hammer
     * and the count would prove nothing: it starts over once, then fails).
     */
    private List<HttpResponse<String>> hammerOneWindow(String windowKey, String... headers) throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) {
            awaitGone(windowKey);
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < HAMMER; i++) {
                sent.add(http.sendAsync(request(headers), HttpResponse.BodyHandlers.ofString()));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> answer : sent) {
                answers.add(answer.get());
            }
            String counted = redis.value(String.class).get(windowKey);
            if (counted != null && Integer.parseInt(counted) == HAMMER) {
                return answers;
            }
        }
        throw new AssertionError("the hammer never fitted in one window of " + windowKey);
    }

    /** Waits for the window's counter to expire: polls Redis, bounded. */
    private void awaitGone(String windowKey) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (redis.key().exists(windowKey)) {
            assertTrue(System.nanoTime() < deadline, windowKey + " outlived its window");
            Thread.sleep(20);
        }
    }

    private String windowKeyOf(String apiKey) {
        // tally.<id>.<secret> (auth/ApiKeyToken): the caller's identity is key-<id>.
        return prefix + "{q:key-" + ApiKeyToken.parse(apiKey).orElseThrow().id() + "}";
    }

    private HttpResponse<String> get(String... headers) throws Exception {
        return http.send(request(headers), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String... headers) {
        return HttpRequest.newBuilder(app.resolve("/")).headers(headers).GET().build();
    }

    private static String header(HttpResponse<String> answer, String name) {
        return answer.headers().firstValue(name).orElse(null);
    }
}
