package dev.tally.web;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Notes the thread that runs the resource method. A REST filter runs on the same thread as its endpoint (the
 * event loop, a worker or a virtual thread), so this is where a request learns who serves it; the time it took
 * to get there is the queue delay of that kind of thread.
 */
public class ServingThreadFilter {

    private final Map<ThreadKind, Timer> delays = new EnumMap<>(ThreadKind.class);

    public ServingThreadFilter(MeterRegistry metrics) {
        for (ThreadKind kind : ThreadKind.values()) {
            delays.put(kind, Timer.builder("tally.requests.dispatch.delay").tag("thread", kind.label())
                    .description("From the request's arrival to its handler starting: the queue delay of the "
                            + "event loop, worker pool or virtual-thread scheduler")
                    .register(metrics));
        }
    }

    @ServerRequestFilter
    public void servedHere() {
        InFlightRequests.current().ifPresent(request -> {
            Thread thread = Thread.currentThread();
            Duration waited = request.dispatchedTo(thread);
            delays.get(ThreadKind.of(thread)).record(waited);
        });
    }
}
