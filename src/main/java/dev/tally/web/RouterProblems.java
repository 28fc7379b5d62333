package dev.tally.web;

import java.util.Optional;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.vertx.ext.web.RoutingContext;

/**
 * Pipeline stage "problem rendering" for what never reaches JAX-RS, on both ports: failures raised in a router
 * stage or a hand-written route (a body over the limit, Redis down under {@code /ops/cluster}, a bug) and unknown
 * routes. With {@link ProblemMappers} this makes every error the service sends a problem document.
 */
@Singleton
public class RouterProblems {

    private static final Logger LOG = Logger.getLogger(RouterProblems.class);

    private final ProblemWriter problems;
    private final ExpectedFailures expected;

    public RouterProblems(ProblemWriter problems, ExpectedFailures expected) {
        this.problems = problems;
        this.expected = expected;
    }

    /** A failure handler: whatever failed the route becomes a problem. */
    public void renderFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        Optional<ProblemException> problem = failure == null ? Optional.empty()
                : expected.asProblem(failure, ctx.request());
        if (problem.isPresent()) {
            answer(ctx, problem.get());
            return;
        }
        // A status without a Tally problem: Vert.x's own refusals (a chunked body over the limit is a 413) or a bug.
        int status = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
        if (status >= 500) {
            LOG.errorf(failure, "request failed below the REST layer: %s %s", ctx.request().method(),
                    ctx.normalizedPath());
        }
        send(ctx, status, status == 413 ? "The request body is larger than this service accepts" : null);
    }

    /** The last route: nothing else answered. */
    public void noRoute(RoutingContext ctx) {
        send(ctx, 404, "No resource at " + ctx.request().method() + " " + ctx.normalizedPath());
    }

    /** Answers a hand-written route's failure: its problem when it is one (a refusal, Redis trouble), else 500. */
    public void send(RoutingContext ctx, Throwable failure) {
        expected.asProblem(failure, ctx.request()).ifPresentOrElse(problem -> answer(ctx, problem), () -> {
            LOG.errorf(failure, "Unexpected failure for %s %s", ctx.request().method(), ctx.normalizedPath());
            send(ctx, 500, "An unexpected error occurred; quote the request id when reporting it");
        });
    }

    private void answer(RoutingContext ctx, ProblemException problem) {
        if (!cutIfTooLate(ctx)) {
            problems.send(ctx, problem);
        }
    }

    void send(RoutingContext ctx, int status, String detail) {
        if (cutIfTooLate(ctx)) {
            return;
        }
        problems.send(ctx, problems.generic(status, detail, ctx.normalizedPath(),
                RequestIds.of(ctx.request())));
    }

    /** Too late for a clean answer once the head is out: cut the connection rather than append to a partial body. */
    private static boolean cutIfTooLate(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return true;
        }
        return false;
    }
}
