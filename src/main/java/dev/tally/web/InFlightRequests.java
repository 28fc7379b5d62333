package dev.tally.web;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.tally.runtime.WorkThreads;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Every app request in flight on this replica. Each request's entry also rides in its Vert.x (duplicated)
 * context, so code deep in the call (the Redis gateway, a REST filter) finds it without passing it around.
 */
@ApplicationScoped
public class InFlightRequests implements WorkThreads {

    private static final String CONTEXT_KEY = InFlightRequest.class.getName();

    private final Set<InFlightRequest> requests = ConcurrentHashMap.newKeySet();

    public InFlightRequests(MeterRegistry metrics) {
        for (ThreadKind kind : ThreadKind.values()) {
            Gauge.builder("tally.requests.in.flight", this, r -> r.count(kind)).tag("thread", kind.label())
                    .description("App requests being served now, by the kind of thread serving them")
                    .register(metrics);
        }
    }

    public InFlightRequest begin(String method, String path, String requestId) {
        InFlightRequest request = new InFlightRequest(method, path, requestId, Thread.currentThread());
        requests.add(request);
        Context context = Vertx.currentContext();
        if (context != null) {
            context.putLocal(CONTEXT_KEY, request);
        }
        return request;
    }

    /** Takes {@code request} out of the registry; false when it had already left (see {@link #handOver}). */
    public boolean end(InFlightRequest request) {
        return requests.remove(request);
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
        Context context = Vertx.currentContext();
        return context == null ? Optional.empty() : Optional.ofNullable(context.getLocal(CONTEXT_KEY));
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
