package dev.tally.ops;

import java.util.Map;

/**
 * What one replica tells the others every second: enough to see at a glance which replica is busy, stuck or
 * starved, without scraping each one.
 */
public record ReplicaSnapshot(String instance, String version, String startedAt, long uptimeSeconds,
        String publishedAt, int inFlight, Map<String, Long> inFlightByThread, long stuckTotal,
        int deadlockedThreads, Pool redisPool, Pool workerPool, Bulkhead blockingWork, Bulkhead cpuWork,
        double eventLoopDelayMaxMs, long shedTotal, long timedOutTotal) {

    /** A pool's connections or threads in use, its bound, and how many wait for one. */
    public record Pool(long active, long max, long waiting) {
    }

    /** A bulkhead's running calls and its bound (past it: 503). */
    public record Bulkhead(long running, long max, long waiting) {
    }
}
