package peer;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Why this exists: Tally serves {@code GET /} at about half the floor's rate, and most of the difference is spent in
 * Netty, Vert.x and JDK frames below no Tally frame. These settings put back, one at a time, the parts of Tally's
 * request path that are not Tally's own code, so that bench/peer.sh ({@code BENCH_PEER_FLOOR_VARIANTS}) can split
 * the gap into the pipeline's shape, the response headers, the end handlers and (the {@code metrics} build of this
 * pom) Micrometer's HTTP server metrics. All off by default (application.properties): then this class installs
 * nothing and the floor stays the floor.
 *
 * <ul>
 * <li>{@code peer.stages}: that many handlers on one route at the router's first position, as Tally's
 * {@code pipeline/RequestPipeline} installs its stages; each only calls {@code next()}
 * (the first also does the work below).
 * <li>{@code peer.headers}: that many fixed response headers, the names and sizes of Tally's (request id, instance,
 * Server-Timing, the two RateLimit fields), put by the first handler.
 * <li>{@code peer.end-handlers}: per request one headers-end and one end handler, registered by the first handler,
 * each reading the clock into the context (Tally's timing and tagging stages register such handlers).
 * </ul>
 * The work of the last two rides on the first stage, so {@code stages=7} is seven handlers whatever else is on, as
 * in Tally; with {@code stages=0} it gets a handler of its own. With the log category {@code peer} at DEBUG (read at
 * start: {@code -Dquarkus.log.category.\"peer\".level=DEBUG}), every handler, end handlers included, logs that it
 * ran, to check a variant; otherwise the pass-through handlers are {@code RoutingContext::next} itself.
 */
@ApplicationScoped
public class PeerStages {

    private static final Logger LOG = Logger.getLogger("peer");

    /** Tally's five headers on a GET /, with values of the size Tally sends (its request id is a fresh UUID). */
    private static final List<Map.Entry<String, String>> TALLY_LIKE = List.of(
            Map.entry("X-Request-Id", "4f1c2b9e-7a3d-4e8f-9b6a-2c5d8e1f0a73"),
            Map.entry("X-Tally-Instance", "bench-1"),
            Map.entry("Server-Timing", "redis;dur=0.000"),
            Map.entry("RateLimit-Policy", "\"anonymous\";q=1000000;w=1"),
            Map.entry("RateLimit", "\"anonymous\";r=999999;t=1"));

    private final int stages;
    private final String[] headerNames;
    private final String[] headerValues;
    private final boolean endHandlers;
    private boolean debug; // read once at start: the measured path never asks the log manager

    PeerStages(@ConfigProperty(name = "peer.stages") int stages, @ConfigProperty(name = "peer.headers") int headers,
            @ConfigProperty(name = "peer.end-handlers") boolean endHandlers) {
        if (stages < 0 || headers < 0) {
            throw new IllegalArgumentException("peer.stages and peer.headers must be >= 0");
        }
        this.stages = stages;
        this.endHandlers = endHandlers;
        this.headerNames = new String[headers];
        this.headerValues = new String[headers];
        for (int i = 0; i < headers; i++) { // past Tally's five: more of the same sizes under other names
            Map.Entry<String, String> like = TALLY_LIKE.get(i % TALLY_LIKE.size());
            headerNames[i] = i < TALLY_LIKE.size() ? like.getKey() : like.getKey() + "-" + (i + 1);
            headerValues[i] = like.getValue();
        }
    }

    void install(@Observes Router router) {
        debug = LOG.isDebugEnabled();
        boolean work = headerNames.length > 0 || endHandlers;
        int handlers = Math.max(stages, work ? 1 : 0);
        LOG.infof("peer: %d handler(s) at the router's first position, %d response header(s), end handlers %s",
                handlers, headerNames.length, endHandlers ? "on" : "off");
        if (handlers == 0) {
            return;
        }
        Route route = router.route().order(Integer.MIN_VALUE);
        for (int i = 0; i < handlers; i++) {
            Handler<RoutingContext> handler = i == 0 && work ? this::work : RoutingContext::next;
            route.handler(debug ? logged(handler, i + 1, handlers) : handler);
        }
    }

    private void work(RoutingContext ctx) {
        for (int i = 0; i < headerNames.length; i++) {
            ctx.response().putHeader(headerNames[i], headerValues[i]);
        }
        if (endHandlers) {
            ctx.put("peer.started", System.nanoTime());
            ctx.addHeadersEndHandler(ignored -> clock(ctx, "peer.headers-ended"));
            ctx.addEndHandler(ignored -> clock(ctx, "peer.ended"));
        }
        ctx.next();
    }

    private void clock(RoutingContext ctx, String key) {
        ctx.put(key, System.nanoTime());
        if (debug) {
            LOG.debugf("peer: %s handler ran, %d ns after the first stage", key,
                    ctx.<Long>get(key) - ctx.<Long>get("peer.started"));
        }
    }

    private static Handler<RoutingContext> logged(Handler<RoutingContext> handler, int position, int of) {
        return ctx -> {
            LOG.debugf("peer: stage %d of %d ran for %s %s", position, of, ctx.request().method(),
                    ctx.request().path());
            handler.handle(ctx);
        };
    }
}
