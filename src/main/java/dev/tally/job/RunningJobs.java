package dev.tally.job;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The attempts running on this replica, by stream entry id: the executor adds and removes them, the claim keeper
 * renews them, the drain at shutdown waits for them and releases the rest.
 */
final class RunningJobs {

    private final Map<String, JobRun> runs = new ConcurrentHashMap<>();

    RunningJobs(MeterRegistry registry) {
        Gauge.builder("tally.jobs.running", runs, Map::size).description("Jobs running on this replica")
                .register(registry);
    }

    void add(JobRun run) {
        runs.put(run.entry().entryId(), run);
    }

    void remove(JobRun run) {
        runs.remove(run.entry().entryId());
    }

    List<JobRun> snapshot() {
        return List.copyOf(runs.values());
    }

    int count() {
        return runs.size();
    }

    /** Waits, polling every {@code poll}, until none runs or {@code deadlineNanos} ({@link System#nanoTime}). */
    void awaitNoneUntil(long deadlineNanos, Duration poll) {
        while (!runs.isEmpty() && System.nanoTime() < deadlineNanos) {
            Waits.sleep(poll);
        }
    }
}
