package dev.tally.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CSPHandler;

/**
 * The ops console's shell: one page, its script and its stylesheet, static and without data (every figure is
 * fetched by the script with the operator's token), so they are the only {@code /ops/} paths open without it
 * ({@link OpenManagementPaths}). The page runs under a Content-Security-Policy that allows only these files and
 * requests to this origin: no inline script or style, no other origin, no framing.
 */
@Singleton
public class OpsConsole {

    static final String PAGE = "/ops/";
    static final String SCRIPT = "/ops/console.js";
    static final String STYLESHEET = "/ops/console.css";

    void install(@Observes ManagementInterface management) {
        Router router = management.router();
        CSPHandler policy = CSPHandler.create().setDirective("default-src", "'none'")
                .addDirective("script-src", "'self'").addDirective("style-src", "'self'")
                .addDirective("connect-src", "'self'").addDirective("img-src", "'self'")
                .addDirective("base-uri", "'none'").addDirective("form-action", "'none'")
                .addDirective("frame-ancestors", "'none'");
        // "/ops/" also matches "/ops" (Vert.x ignores a trailing slash), so the console has one address.
        router.get(PAGE).handler(policy).handler(file("ops-console/index.html", "text/html; charset=utf-8"));
        router.get(SCRIPT).handler(file("ops-console/console.js", "text/javascript; charset=utf-8"));
        router.get(STYLESHEET).handler(file("ops-console/console.css", "text/css; charset=utf-8"));
    }

    private static Handler<RoutingContext> file(String resource, String contentType) {
        Buffer content = Buffer.buffer(classpathBytes(resource));
        return ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(content);
    }

    private static byte[] classpathBytes(String resource) {
        try (InputStream in = OpsConsole.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
