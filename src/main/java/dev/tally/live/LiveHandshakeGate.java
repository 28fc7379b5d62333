package dev.tally.live;

import jakarta.inject.Singleton;

import dev.tally.counter.CounterName;
import dev.tally.runtime.Drain;
import dev.tally.web.InFlightRequests;
import dev.tally.web.ProblemException;
import dev.tally.web.ProblemWriter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses live handshakes before the upgrade, with the same problem documents as every other error: a bad counter
 * name is a 400 {@code invalid-counter-name}, a replica at {@code tally.live.max-sockets} a 503
 * {@code live-sockets-exhausted} with {@code Retry-After} (Nginx passes it to the client, which retries; the next
 * handshake may land on a replica with room), a draining replica a 503 {@code draining} (only for direct clients:
 * a handshake through Nginx is handed back before this gate by {@code guard/DrainHandoff}).
 * A Vert.x route rather than a websockets-next {@code HttpUpgradeCheck}, because the check can only choose a status
 * and headers, not a body. Pipeline stage "live handshake gate" (installed by {@code pipeline/RequestPipeline}):
 * a refusal is an ordinary request, timed and logged; an accepted handshake leaves the in-flight registry here.
 */
@Singleton
public class LiveHandshakeGate {

    /**
     * The handshake paths this gate guards: the WebSocket endpoint's own path template in Vert.x' syntax, the
     * conversion websockets-next makes of {@code {name}}. Both routes are matched by the same router against the
     * same normalized path, so every spelling the endpoint serves (a trailing slash, {@code //}, dot segments,
     * percent-encoded letters) passes this gate first; a regex of our own had missed the trailing slash.
     */
    public static final String PATH = LiveEndpoint.PATH.replace("{" + LiveEndpoint.NAME + "}",
            ":" + LiveEndpoint.NAME);
    private static final long RETRY_AFTER_SECONDS = 5;

    private final ProblemWriter problems;
    private final LiveMetrics metrics;
    private final LiveSettings settings;
    private final Drain drain;
    private final InFlightRequests inFlight;

    public LiveHandshakeGate(ProblemWriter problems, LiveMetrics metrics, LiveSettings settings, Drain drain,
            InFlightRequests inFlight) {
        this.problems = problems;
        this.metrics = metrics;
        this.settings = settings;
        this.drain = drain;
        this.inFlight = inFlight;
    }

    public void check(RoutingContext ctx) {
        try {
            CounterName.require(ctx.pathParam(LiveEndpoint.NAME));
            if (metrics.openSockets() >= settings.maxSockets()) {
                throw ProblemException.unavailable("live-sockets-exhausted", "This replica already serves its "
                        + settings.maxSockets() + " live sockets; retry, possibly on another replica",
                        RETRY_AFTER_SECONDS);
            }
            if (drain.draining()) {
                throw ProblemException.unavailable("draining", "This replica is shutting down; retry on another",
                        1);
            }
            UpgradedRequestRelease.onClose(ctx.request());
            if ("websocket".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.UPGRADE))) {
                inFlight.handOver(); // from here on a socket (live/LiveMetrics), not a request in flight
            }
            ctx.next();
        } catch (ProblemException refused) {
            problems.send(ctx, refused);
        }
    }
}
