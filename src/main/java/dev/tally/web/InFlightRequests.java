package dev.tally.web;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.tally.runtime.RequestLocal;
import dev.tally.runtime.TimeoutSlots;
import dev.tally.runtime.WorkThreads;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Every app request in flight on this replica. Each request's entry also rides in its Vert.x (duplicated)
 * context, so code deep in the call (the Redis gateway, a REST filter) finds it without passing it around.
 *
 * <p>The registry is also the clock of every request's timeouts (its deadline, the budget of the Redis call it
 * waits for, see {@code runtime/TimeoutSlots}): one sweep every {@value #SWEEP_MILLIS} ms fires those that are
 * due, instead of a timer per timeout. The registry already holds every request and forgets it when it ends, so a
 * timeout costs no object of its own and no removal.
 */
@Singleton
public class InFlightRequests implements WorkThreads {

    private static final RequestLocal<InFlightRequest> CURRENT = new RequestLocal<>(InFlightRequest.class);
    private static final Logger LOG = Logger.getLogger(InFlightRequests.class);
    /** A timeout fires at most this late. */
    static final long SWEEP_MILLIS = 10;

    private final Set<InFlightRequest> requests = ConcurrentHashMap.newKeySet();
    // Sweeps, and holds the few timeouts of requests that ended with one still armed.
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "tally-timeouts");
        thread.setDaemon(true);
        return thread;
    });

    public InFlightRequests(MeterRegistry metrics) {
        for (ThreadKind kind : ThreadKind.values()) {
            Gauge.builder("tally.requests.in.flight", this, r -> r.count(kind)).tag("thread", kind.label())
                    .description("App requests being served now, by the kind of thread serving them")
                    .register(metrics);
        }
        clock.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (InFlightRequest request : requests) {
            try {
                request.timeouts().fireDue(now);
            } catch (RuntimeException e) {
                // One failing timeout must not stop the sweep: a periodic task that throws is never run again.
                LOG.errorf(e, "a timeout of request %s failed", request.requestId());
            }
        }
    }

    @PreDestroy
    void stop() {
        clock.shutdownNow();
    }

    public InFlightRequest begin(String method, String path, String requestId) {
        InFlightRequest request = new InFlightRequest(method, path, requestId, Thread.currentThread());
        requests.add(request);
        CURRENT.bind(request);
        return request;
    }

    /** Takes {@code request} out of the registry; false when it had already left (see {@link #handOver}). */
    public boolean end(InFlightRequest request) {
        if (!requests.remove(request)) {
            return false;
        }
        request.timeouts().handOff(clock, System.nanoTime()); // a call it did not wait for keeps its budget
        return true;
    }

    /**
     * The request this code runs for stops being a request in flight, without ending: an accepted WebSocket
     * handshake becomes a socket that may stay open for hours and would otherwise be reported stuck.
     */
    public void handOver() {
        current().ifPresent(this::end);
    }

    /** The request this code runs for, when it runs in one's Vert.x context (event loop or virtual thread). */
    public static Optional<InFlightRequest> current() {
        return Optional.ofNullable(CURRENT.current());
    }

    public Collection<InFlightRequest> all() {
        return Collections.unmodifiableSet(requests);
    }

    /** The threads serving requests now, for the deadlock detector. */
    @Override
    public List<Thread> threads() {
        return requests.stream().map(InFlightRequest::servingThread).toList();
    }

    public int size() {
        return requests.size();
    }

    private long count(ThreadKind kind) {
        return requests.stream().filter(r -> r.threadKind() == kind).count();
    }
}
