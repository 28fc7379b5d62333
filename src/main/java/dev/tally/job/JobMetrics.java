package dev.tally.job;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Job metrics. Queue gauges (shared state, the same on every replica) come from the latest {@link QueueStats}
 * sample; outcomes, durations and queue lag are counted by the worker that ran the job.
 */
@Singleton
public class JobMetrics {

    private final MeterRegistry registry;
    private final AtomicReference<QueueStats> latest = new AtomicReference<>(QueueStats.EMPTY);
    private final Timer lag;

    public JobMetrics(MeterRegistry registry) {
        this.registry = registry;
        gauge("tally.jobs.queued", "Jobs waiting for their first delivery", null, s -> s.queued());
        gauge("tally.jobs.pending", "Jobs delivered and not yet acknowledged (running, or held by a dead worker)",
                null, s -> s.pending());
        gauge("tally.jobs.oldest.queued.age", "Age of the oldest job waiting for delivery (queue lag)", "seconds",
                QueueStats::oldestQueuedAgeSeconds);
        gauge("tally.jobs.oldest.pending.age", "Age of the oldest delivered, unacknowledged job", "seconds",
                QueueStats::oldestPendingAgeSeconds);
        gauge("tally.jobs.retrying", "Jobs waiting out a retry backoff", null, s -> s.retrying());
        gauge("tally.jobs.dead.letters", "Entries in the dead-letter list", null, s -> s.deadLetters());
        this.lag = Timer.builder("tally.jobs.queue.lag")
                .description("From submit to the first start, on the worker that started it")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    void sampled(QueueStats stats) {
        latest.set(stats);
    }

    void started(Duration queued) {
        lag.record(queued);
    }

    /** One attempt ended, in the way {@code outcome} says. */
    void ended(String type, AttemptOutcome outcome, Duration took) {
        Counter.builder("tally.jobs.outcomes").description("Job attempts by how they ended")
                .tag("type", type).tag("outcome", outcome.tag()).register(registry).increment();
        Timer.builder("tally.jobs.duration").description("Time a handler ran, by type and outcome")
                .tag("type", type).tag("outcome", outcome.tag()).register(registry).record(took);
    }

    private void gauge(String name, String description, String unit,
            java.util.function.ToDoubleFunction<QueueStats> value) {
        Gauge.builder(name, latest, ref -> value.applyAsDouble(ref.get())).description(description).baseUnit(unit)
                .register(registry);
    }
}
