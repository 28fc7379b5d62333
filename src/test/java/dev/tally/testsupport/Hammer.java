package dev.tally.testsupport;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Load with a tally: a fixed number of requests from a fixed number of concurrent clients (see
 * {@link Concurrently}), counted by status. A request that got no HTTP answer at all counts as {@code noAnswer}
 * instead of failing the run, so a test can assert on it.
 */
public final class Hammer {

    private static final int NO_ANSWER = -1;

    /** What came back: status code → count, plus requests that got no HTTP answer at all. */
    public record Result(Map<Integer, Long> statuses, long noAnswer, Duration elapsed) {

        public long count(int status) {
            return statuses.getOrDefault(status, 0L);
        }

        public long total() {
            return statuses.values().stream().mapToLong(Long::longValue).sum() + noAnswer;
        }
    }

    private Hammer() {
    }

    /** Sends {@code requests} requests (request i built by {@code send.apply(i)}) from {@code clients} clients. */
    public static Result run(int requests, int clients, Duration limit, IntFunction<HttpResponse<?>> send) {
        long started = System.nanoTime();
        List<Integer> statuses = Concurrently.run(requests, clients, limit, i -> {
            try {
                return send.apply(i).statusCode();
            } catch (RuntimeException noAnswer) {
                return NO_ANSWER;
            }
        });
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        Map<Integer, Long> counts = new TreeMap<>();
        statuses.forEach(status -> counts.merge(status, 1L, Long::sum));
        Long noAnswer = counts.remove(NO_ANSWER);
        return new Result(counts, noAnswer == null ? 0 : noAnswer, elapsed);
    }
}
