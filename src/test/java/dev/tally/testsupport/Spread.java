package dev.tally.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * How Nginx spreads requests over the replicas (each names itself in {@code X-Tally-Instance}), asserted as far
 * as the upstream's {@code least_conn} policy promises and no further:
 * <ul>
 * <li>requests sent one after another find no request in flight anywhere, so every pick is a tie that Nginx breaks
 * by round robin over equal weights (its state shared by all workers through the upstream's zone): each replica
 * gets every third, up to a transient of a pick or two left by an earlier failure;</li>
 * <li>concurrent requests go to the replica with the fewest in flight, so a replica that answers faster (a warmer
 * JIT) rightly gets more: only "every replica serves" is promised there.</li>
 * </ul>
 */
public final class Spread {

    /** Picks that a peer's state from before (a failure, a restart) may shift from round robin. */
    private static final long ROUND_ROBIN_SLACK = 3;
    private static final String INSTANCE = "X-Tally-Instance";

    private Spread() {
    }

    /**
     * Sends requests until every one of {@code replicas} replicas has answered one, so that none is still
     * marked failed by Nginx (a replica killed by an earlier test is skipped for the upstream's fail_timeout).
     */
    public static void awaitEveryReplicaServes(int replicas, Supplier<HttpResponse<String>> request,
            Duration limit) {
        Map<String, Long> seen = new TreeMap<>();
        long deadline = System.nanoTime() + limit.toNanos();
        while (seen.size() < replicas) {
            assertTrue(System.nanoTime() < deadline, "not every replica served within " + limit + ": " + seen);
            count(seen, request.get());
            if (seen.size() < replicas) {
                Pause.of(Duration.ofMillis(50));
            }
        }
    }

    /** Sends {@code requests} requests one after another and asserts each replica served its round-robin share. */
    public static Map<String, Long> assertRoundRobin(int replicas, int requests,
            Supplier<HttpResponse<String>> request) {
        Map<String, Long> byInstance = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            count(byInstance, request.get());
        }
        System.out.printf("%d requests one after another: %s%n", requests, byInstance);
        assertEquals(replicas, byInstance.size(), "every replica served: " + byInstance);
        long share = requests / replicas;
        assertTrue(byInstance.values().stream().allMatch(n -> Math.abs(n - share) <= ROUND_ROBIN_SLACK),
                "round robin gives each replica " + share + " (± " + ROUND_ROBIN_SLACK + "): " + byInstance);
        return byInstance;
    }

    /** Adds one answer to a tally by instance; anything but a 200 fails. */
    public static void count(Map<String, Long> byInstance, HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        byInstance.merge(response.headers().firstValue(INSTANCE).orElse("?"), 1L, Long::sum);
    }
}
