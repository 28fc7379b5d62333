package dev.tally.guard;

import jakarta.inject.Singleton;

import dev.tally.runtime.Drain;
import dev.tally.web.NginxRetriedMethods;
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
 * method is idempotent is handed back: its connection is closed without an answer. Nginx sees an upstream
 * {@code error}, retries the request on another replica (the client never sees it) and counts this replica as
 * failed for its {@code fail_timeout}, so it sends nothing more, POSTs included, while the replica finishes and
 * closes.
 *
 * <p>Why no answer rather than a 503: Nginx cannot tell one 503 from another. If it retried (and counted) every
 * 503, a replica that sheds a single request under load (a full CPU pool, the live-socket cap) would be ejected as
 * if it were draining, and under load every replica in turn. So Nginx passes a replica's 503 to the client, and
 * only a connection error means "gone, try another". Requests without the header (Kubernetes Services, direct
 * clients) are served to the end of the delay as before: there the orchestrator stops the traffic.
 */
@Singleton
public class DrainHandoff {

    static final String PROXY_RETRIES_HEADER = "X-Tally-Proxy-Retries";

    private final Drain drain;
    private final Counter handedBack;

    public DrainHandoff(Drain drain, MeterRegistry metrics) {
        this.drain = drain;
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
        // Logged as a 503 (tally.access): what it means to the proxy, though no status line is sent.
        ctx.response().setStatusCode(503);
        ctx.request().connection().close();
    }

    private static boolean proxyRetriesIdempotent(RoutingContext ctx) {
        return "idempotent".equalsIgnoreCase(ctx.request().getHeader(PROXY_RETRIES_HEADER));
    }
}
