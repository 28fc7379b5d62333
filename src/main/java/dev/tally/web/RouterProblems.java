package dev.tally.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Problem answers for what never reaches JAX-RS: unknown routes and failures raised in the router (such as a
 * body over the limit). With {@link ProblemMappers} this makes every error the service sends a problem document.
 */
@ApplicationScoped
public class RouterProblems {

    private static final Logger LOG = Logger.getLogger(RouterProblems.class);

    private final ProblemWriter problems;

    public RouterProblems(ProblemWriter problems) {
        this.problems = problems;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failure);
        router.route().last().handler(this::noRoute);
    }

    private void noRoute(RoutingContext ctx) {
        send(ctx, 404, "No resource at " + ctx.request().method() + " " + ctx.normalizedPath());
    }

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
        if (status >= 500) {
            LOG.errorf(ctx.failure(), "request failed below the REST layer: %s %s", ctx.request().method(),
                    ctx.normalizedPath());
        }
        send(ctx, status, status == 413 ? "The request body is larger than this service accepts" : null);
    }

    void send(RoutingContext ctx, int status, String detail) {
        if (ctx.response().headWritten()) {
            // Too late for a clean answer: cut the connection rather than append an error to a partial body.
            ctx.response().reset();
            return;
        }
        problems.send(ctx, problems.generic(status, detail, ctx.normalizedPath(),
                ctx.request().getHeader(RequestIds.HEADER)));
    }
}
