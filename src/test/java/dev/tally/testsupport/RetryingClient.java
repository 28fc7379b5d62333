package dev.tally.testsupport;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A client that behaves as the README tells clients to: it sends a request that carries an {@code Idempotency-Key}
 * again, unchanged, when it got a 503 (which the design allows under overload or a Redis outage, always with
 * {@code Retry-After}) or no HTTP answer at all. Every other answer, 200 or not, is returned as it is, so a test
 * still sees every real error. Retrying is only honest for requests that are safe to repeat (GETs, and
 * increments with a key); the exact totals such tests assert are what proves nothing was lost or counted twice.
 *
 * <p>Bounded: at most {@code maxAttempts} sends per request, each wait at most {@link #LONGEST_WAIT}. What was
 * retried is counted, so a test can print it.
 */
public final class RetryingClient {

    /** Retry-After is 1–2 s in Tally's configuration; a wait is never longer than this. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(2);
    private static final int NO_ANSWER = -1;

    private final int maxAttempts;
    private final Map<Integer, LongAdder> retriedByStatus = new ConcurrentHashMap<>();

    public RetryingClient(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    /**
     * Sends {@code request} until it gets an answer other than 503, up to the attempt bound; returns the last
     * answer, or throws the last failure when the last attempt got no answer.
     */
    public HttpResponse<String> send(Supplier<HttpResponse<String>> request) {
        for (int attempt = 1;; attempt++) {
            HttpResponse<String> response;
            try {
                response = request.get();
            } catch (RuntimeException noAnswer) {
                if (attempt == maxAttempts) {
                    throw noAnswer;
                }
                retried(NO_ANSWER);
                Pause.of(Duration.ofMillis(100L * attempt));
                continue;
            }
            if (response.statusCode() != 503 || attempt == maxAttempts) {
                return response;
            }
            retried(503);
            Pause.of(retryAfter(response));
        }
    }

    /** Retries by the status that caused them ({@code -1}: no answer). */
    public Map<Integer, Long> retries() {
        Map<Integer, Long> counts = new TreeMap<>();
        retriedByStatus.forEach((status, count) -> counts.put(status, count.sum()));
        return counts;
    }

    public long retryCount() {
        return retriedByStatus.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private void retried(int status) {
        retriedByStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    private static Duration retryAfter(HttpResponse<String> response) {
        Duration asked = response.headers().firstValue("Retry-After")
                .map(seconds -> Duration.ofSeconds(Long.parseLong(seconds.trim())))
                .orElseThrow(() -> new AssertionError("a 503 without Retry-After: " + response.body()));
        return asked.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : asked;
    }
}
