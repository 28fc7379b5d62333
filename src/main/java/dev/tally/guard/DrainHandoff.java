package dev.tally.guard;

import jakarta.enterprise.context.ApplicationScoped;

import dev.tally.runtime.Drain;
import dev.tally.web.NginxRetriedMethods;
import dev.tally.web.ProblemException;
import dev.tally.web.ProblemWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;

/**
 * Pipeline stage "drain hand-back" (installed by {@code pipeline/RequestPipeline}). Graceful drain, step two
 * (step one: {@code runtime/Drain}): gets a draining replica out of a proxy's rotation before its listener closes.
 *
 * <p>Open-source Nginx has no active health checks: it keeps choosing a draining replica until connections to it
 * fail, and a POST caught by the listener closing gets a 502 that Nginx must not replay. So while draining, a
 * request that Nginx declares it will retry elsewhere ({@value #PROXY_RETRIES_HEADER}: idempotent) and whose
 * method is idempotent is handed back with a 503: Nginx retries it on another replica (the client never sees it)
 * and counts this replica as failed for its {@code fail_timeout}, so it sends nothing more, POSTs included,
 * while the replica finishes and closes. Requests without the header (Kubernetes Services, direct clients) are
 * served to the end of the delay as before: there the orchestrator stops the traffic.
 */
@ApplicationScoped
public class DrainHandoff {

    static final String PROXY_RETRIES_HEADER = "X-Tally-Proxy-Retries";

    private final Drain drain;
    private final ProblemWriter problems;
    private final Counter handedBack;

    public DrainHandoff(Drain drain, ProblemWriter problems, MeterRegistry metrics) {
        this.drain = drain;
        this.problems = problems;
        this.handedBack = Counter.builder("tally.requests.handed.back")
                .description("Idempotent requests a draining replica returned to the proxy to retry elsewhere")
                .register(metrics);
    }

    public void handOffWhileDraining(RoutingContext ctx) {
        if (!drain.draining() || !proxyRetriesIdempotent(ctx) || !NginxRetriedMethods.contains(ctx.request().method().name())) {
            ctx.next();
            return;
        }
        handedBack.increment();
        problems.send(ctx, ProblemException.unavailable("draining",
                "This replica is shutting down; the proxy retries the request on another one", 1));
    }

    private static boolean proxyRetriesIdempotent(RoutingContext ctx) {
        return "idempotent".equalsIgnoreCase(ctx.request().getHeader(PROXY_RETRIES_HEADER));
    }
}
