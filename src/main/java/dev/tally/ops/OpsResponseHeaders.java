package dev.tally.ops;

import jakarta.inject.Singleton;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Pipeline stage "response headers" (management port): every answer, refusals included, is {@code no-store} (a
 * thread dump or a key listing must never sit in a browser or proxy cache) and {@code nosniff} (a text answer is
 * never run as a script). The console's page adds its Content-Security-Policy itself ({@link OpsConsole}).
 */
@Singleton
public class OpsResponseHeaders {

    public void add(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("X-Content-Type-Options", "nosniff");
        ctx.next();
    }
}
