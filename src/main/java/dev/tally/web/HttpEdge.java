package dev.tally.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.tally.guard.Drain;
import dev.tally.runtime.InstanceId;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * What every request on the app port goes through at the Vert.x level, before and around the REST layer:
 * the request id and instance headers, problem+json for errors raised below JAX-RS (oversized bodies, unknown
 * routes), and a last-resort handler so that no stack trace or HTML error page ever leaves the service.
 */
@ApplicationScoped
public class HttpEdge {

    public static final String INSTANCE_HEADER = "X-Tally-Instance";
    public static final String MDC_REQUEST_ID = "requestId";
    private static final Logger LOG = Logger.getLogger(HttpEdge.class);

    private final InstanceId instance;
    private final ProblemWriter problems;
    private final Drain drain;
    private final long maxBodyBytes;
    private final BodyHandler chunkedBodies;

    public HttpEdge(InstanceId instance, ProblemWriter problems, Drain drain,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.instance = instance;
        this.problems = problems;
        this.drain = drain;
        this.maxBodyBytes = maxBodySize.asLongValue();
        this.chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::tagRequest);
        router.route().order(Integer.MIN_VALUE + 1).handler(this::bufferUndeclaredBody);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failure);
        router.route().last().handler(this::noRoute);
    }

    private void tagRequest(RoutingContext ctx) {
        String requestId = RequestIds.acceptOrGenerate(ctx.request().getHeader(RequestIds.HEADER));
        // Rewriting the request header lets every later layer (mappers, logs) read one agreed id.
        ctx.request().headers().set(RequestIds.HEADER, requestId);
        MDC.put(MDC_REQUEST_ID, requestId);
        ctx.addHeadersEndHandler(ignored -> {
            ctx.response().headers().set(RequestIds.HEADER, requestId).set(INSTANCE_HEADER, instance.value());
            if (drain.draining() && ctx.request().version() != HttpVersion.HTTP_2) {
                ctx.response().headers().set(HttpHeaders.CONNECTION, "close");
            }
        });
        if (declaresOversizedBody(ctx)) {
            // Quarkus would answer this with an empty 413 a moment later; answer first, in the common shape.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            send(ctx, 413, "The request body is larger than " + maxBodyBytes + " bytes");
            return;
        }
        ctx.next();
    }

    /**
     * A chunked body declares no length, and Quarkus would cut an oversized one with an empty 413 mid-read.
     * Such bodies are buffered here, up to the limit, so that going over it fails the route and gets the same
     * problem answer as a declared length. (Behind Nginx every body arrives with a length.)
     */
    private void bufferUndeclaredBody(RoutingContext ctx) {
        if (ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH) == null
                && ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
            chunkedBodies.handle(ctx);
        } else {
            ctx.next();
        }
    }

    private boolean declaresOversizedBody(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            return length != null && Long.parseLong(length) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false; // a malformed length is Vert.x's to reject
        }
    }

    private void noRoute(RoutingContext ctx) {
        send(ctx, 404, "No resource at " + ctx.request().method() + " " + ctx.normalizedPath());
    }

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status < 400) {
            status = 500;
        }
        if (status >= 500) {
            LOG.errorf(ctx.failure(), "request failed below the REST layer: %s %s", ctx.request().method(),
                    ctx.normalizedPath());
        }
        send(ctx, status, status == 413 ? "The request body is larger than " + maxBodyBytes + " bytes" : null);
    }

    private void send(RoutingContext ctx, int status, String detail) {
        if (ctx.response().headWritten()) {
            // Too late for a clean answer: cut the connection rather than append an error to a partial body.
            ctx.response().reset();
            return;
        }
        Problem problem = problems.generic(status, detail, ctx.normalizedPath(),
                ctx.request().getHeader(RequestIds.HEADER));
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(problems.json(problem));
    }
}
