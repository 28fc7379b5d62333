package dev.tally.web;

import jakarta.inject.Singleton;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Pipeline stage "timing and in-flight tracking" (installed by {@code pipeline/RequestPipeline}): the request joins
 * the in-flight registry, its response gets a {@code Server-Timing} header with the time it spent in Redis, and
 * when it ends it leaves the registry and writes its access-log line. A request handed over before it ends (an
 * accepted WebSocket handshake, see {@link InFlightRequests#handOver}) writes no line: it never ends as a request.
 */
@Singleton
public class RequestTiming {

    // Where the REST layer leaves the matched route template (as Quarkus' own HTTP metrics read it).
    private static final String ROUTE_TEMPLATE = "UrlPathTemplate";
    private static final CharSequence SERVER_TIMING = HttpHeaders.createOptimized("Server-Timing");

    private final InFlightRequests inFlight;
    private final AccessLog accessLog;

    public RequestTiming(InFlightRequests inFlight, AccessLog accessLog) {
        this.inFlight = inFlight;
        this.accessLog = accessLog;
    }

    public void track(RoutingContext ctx) {
        Context requestContext = Vertx.currentContext();
        InFlightRequest request = inFlight.begin(ctx.request().method().name(), ctx.request().path(),
                RequestIds.of(ctx.request()));
        ctx.addHeadersEndHandler(ignored -> ctx.response().headers().set(SERVER_TIMING,
                "redis;dur=" + Millis.format(request.redisTime().toNanos())));
        ctx.addEndHandler(ended -> {
            if (!inFlight.end(request)) {
                return; // handed over (a live socket now): not a request that ended
            }
            Object route = requestContext == null ? null : requestContext.getLocal(ROUTE_TEMPLATE);
            accessLog.write(request, route == null ? "unmatched" : route.toString(), ctx.response().getStatusCode(),
                    ctx.response().bytesWritten(), ctx.get(AccessLog.CALLER));
        });
        ctx.next();
    }
}
