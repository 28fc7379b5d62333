package dev.tally.ops;

import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.tally.web.InFlightRequest;
import dev.tally.web.InFlightRequests;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * Logs, once, every request still running past {@code tally.ops.stuck-threshold}: method, path, request id, age
 * and the stack of the thread serving it, taken while it is stuck, which is the one thing a later log line
 * cannot tell. Checks ten times a second, so a request is reported within 100 ms (plus scheduling) of crossing
 * the threshold.
 */
@Singleton
public class StuckRequestWatchdog {

    private static final Logger LOG = Logger.getLogger(StuckRequestWatchdog.class);
    private static final Duration PERIOD = Duration.ofMillis(100);

    private final InFlightRequests inFlight;
    private final Duration threshold;
    private final Counter stuck;

    public StuckRequestWatchdog(InFlightRequests inFlight, OpsSettings settings, MeterRegistry metrics) {
        this.inFlight = inFlight;
        this.threshold = settings.stuckThreshold();
        this.stuck = Counter.builder("tally.requests.stuck")
                .description("Requests that ran past tally.ops.stuck-threshold (each counted once)")
                .register(metrics);
    }

    void start(@Observes StartupEvent started, OpsClock clock) {
        clock.every(PERIOD, "stuck-request watchdog", this::check);
    }

    /** The requests in flight now for {@code tally.ops.stuck-threshold} or longer, oldest first. */
    public List<InFlightRequest> stuckNow() {
        return inFlight.all().stream().filter(request -> request.age().compareTo(threshold) >= 0)
                .sorted(Comparator.comparing(InFlightRequest::startedAt)).toList();
    }

    void check() {
        for (InFlightRequest request : stuckNow()) {
            Duration age = request.age();
            if (request.markStuck()) {
                stuck.increment();
                Thread thread = request.servingThread();
                String stack = Arrays.stream(thread.getStackTrace()).map(frame -> "\tat " + frame)
                        .collect(Collectors.joining("\n"));
                LOG.warnf("Stuck request: %s %s request id %s running for %d ms (threshold %d ms) on %s thread "
                        + "\"%s\" #%d:%n%s", request.method(), request.path(), request.requestId(), age.toMillis(),
                        threshold.toMillis(), request.threadKind().label(), thread.getName(), thread.threadId(),
                        stack);
            }
        }
    }
}
