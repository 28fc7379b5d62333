package dev.tally.web;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.tally.ops.InFlightRequest;
import dev.tally.ops.InFlightRequests;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Second thing every app-port request meets (after {@link RequestTagging}): it joins the in-flight registry, its
 * response gets a {@code Server-Timing} header with the time it spent in Redis, and when it ends it leaves the
 * registry and writes its access-log line.
 */
@ApplicationScoped
public class RequestTiming {

    // Where the REST layer leaves the matched route template (as Quarkus' own HTTP metrics read it).
    private static final String ROUTE_TEMPLATE = "UrlPathTemplate";

    private final InFlightRequests inFlight;
    private final AccessLog accessLog;

    public RequestTiming(InFlightRequests inFlight, AccessLog accessLog) {
        this.inFlight = inFlight;
        this.accessLog = accessLog;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::track);
    }

    private void track(RoutingContext ctx) {
        if ("websocket".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.UPGRADE))) {
            // A handshake becomes a live socket that may stay open for hours: it never "ends" as a request, so
            // tracking it would report every socket as stuck. Sockets have their own metrics (live/LiveMetrics).
            ctx.next();
            return;
        }
        Context requestContext = Vertx.currentContext();
        InFlightRequest request = inFlight.begin(ctx.request().method().name(), ctx.request().path(),
                ctx.request().getHeader(RequestIds.HEADER));
        ctx.addHeadersEndHandler(ignored -> ctx.response().headers().set("Server-Timing",
                "redis;dur=" + String.format(Locale.ROOT, "%.3f", request.redisTime().toNanos() / 1e6)));
        ctx.addEndHandler(ended -> {
            inFlight.end(request);
            Object route = requestContext == null ? null : requestContext.getLocal(ROUTE_TEMPLATE);
            accessLog.write(request, route == null ? "unmatched" : route.toString(), ctx.response().getStatusCode(),
                    ctx.response().bytesWritten());
        });
        ctx.next();
    }
}
