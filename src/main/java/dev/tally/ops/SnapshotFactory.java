package dev.tally.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.tally.runtime.InstanceId;
import dev.tally.web.InFlightRequests;
import dev.tally.web.ThreadKind;
import dev.tally.work.WorkSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;

/**
 * Builds this replica's {@link ReplicaSnapshot} from the same meters Prometheus scrapes, so the console and the
 * metrics never disagree. Meters that do not exist (yet) read as 0.
 */
@Singleton
public class SnapshotFactory {

    private static final String VERTX_WORKERS = "vert.x-worker-thread";

    private final InstanceId instance;
    private final InFlightRequests inFlight;
    private final MeterRegistry metrics;
    private final WorkSettings work;
    private final String version;
    private final int redisPoolSize;
    private final Instant startedAt = Instant.now();

    public SnapshotFactory(InstanceId instance, InFlightRequests inFlight, MeterRegistry metrics, WorkSettings work,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version,
            @ConfigProperty(name = "quarkus.redis.max-pool-size", defaultValue = "6") int redisPoolSize) {
        this.instance = instance;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.work = work;
        this.version = version;
        this.redisPoolSize = redisPoolSize;
    }

    public ReplicaSnapshot now() {
        Instant now = Instant.now();
        Map<String, Long> byThread = new LinkedHashMap<>();
        for (ThreadKind kind : ThreadKind.values()) {
            byThread.put(kind.label(), (long) gauge(metrics.find("tally.requests.in.flight").tag("thread",
                    kind.label())));
        }
        return new ReplicaSnapshot(instance.value(), version, startedAt.toString(),
                Duration.between(startedAt, now).toSeconds(), now.toString(), inFlight.size(), byThread,
                (long) counter("tally.requests.stuck"), (int) gauge(metrics.find("tally.threads.deadlocked")),
                new ReplicaSnapshot.Pool((long) gauge(metrics.find("redis.pool.active")), redisPoolSize,
                        (long) gauge(metrics.find("redis.pool.queue.size"))),
                new ReplicaSnapshot.Pool(
                        (long) gauge(metrics.find("worker.pool.active").tag("pool.name", VERTX_WORKERS)),
                        (long) (gauge(metrics.find("worker.pool.active").tag("pool.name", VERTX_WORKERS))
                                + gauge(metrics.find("worker.pool.idle").tag("pool.name", VERTX_WORKERS))),
                        (long) gauge(metrics.find("worker.pool.queue.size").tag("pool.name", VERTX_WORKERS))),
                new ReplicaSnapshot.Bulkhead((long) gauge(metrics.find("tally.work.blocking.in.flight")),
                        work.blocking().maxConcurrent(), 0),
                new ReplicaSnapshot.Bulkhead((long) gauge(metrics.find("tally.work.cpu.in.flight")),
                        work.cpu().maxConcurrent(), (long) gauge(metrics.find("ft.bulkhead.executionsWaiting"))),
                eventLoopDelayMaxMs(), (long) counter("tally.requests.shed"),
                (long) counter("tally.requests.timed.out"));
    }

    private double eventLoopDelayMaxMs() {
        Timer delay = metrics.find("tally.eventloop.delay").timer();
        return delay == null ? 0 : delay.max(TimeUnit.MILLISECONDS);
    }

    private double counter(String name) {
        return metrics.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static double gauge(Search search) {
        return search.gauges().stream().mapToDouble(Gauge::value).filter(v -> !Double.isNaN(v)).sum();
    }
}
