package dev.tally.job;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.runtime.InstanceId;
import dev.tally.web.ProblemException;
import dev.tally.web.ProblemWriter;
import dev.tally.web.RequestIds;
import io.quarkus.vertx.http.ManagementInterface;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Operator endpoints on the management interface (never proxied by Nginx): {@code GET /ops/jobs/dead} lists
 * dead-lettered jobs, newest first ({@code ?limit=1-1000}, default 100); {@code POST
 * /ops/jobs/dead/{id}/redrive} queues a dead job again with a fresh allowance of attempts.
 */
@ApplicationScoped
public class DeadLetterRoutes {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final JobStore store;
    private final ProblemWriter problems;
    private final ObjectMapper json;
    private final InstanceId instance;

    public DeadLetterRoutes(JobStore store, ProblemWriter problems, ObjectMapper json, InstanceId instance) {
        this.store = store;
        this.problems = problems;
        this.json = json;
        this.instance = instance;
    }

    void install(@Observes ManagementInterface management) {
        management.router().route("/ops/jobs/*").handler(this::tag);
        management.router().get("/ops/jobs/dead").handler(this::list);
        management.router().post("/ops/jobs/dead/:id/redrive").handler(this::redrive);
    }

    /** The app port's request id and instance headers (web/RequestTagging), on these routes too. */
    private void tag(RoutingContext ctx) {
        String requestId = RequestIds.acceptOrGenerate(ctx.request().getHeader(RequestIds.HEADER));
        ctx.request().headers().set(RequestIds.HEADER, requestId);
        ctx.addHeadersEndHandler(ignored -> ctx.response().headers().set(RequestIds.HEADER, requestId)
                .set("X-Tally-Instance", instance.value()));
        ctx.next();
    }

    private void list(RoutingContext ctx) {
        int limit;
        try {
            limit = limit(ctx.request().getParam("limit"));
        } catch (ProblemException e) {
            fail(ctx, e);
            return;
        }
        respond(ctx, store.deadLetters(limit).map(items -> Map.of("items", items)), 200);
    }

    private void redrive(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Uni<Object> redriven = JobId.isValid(id) ? store.redrive(id).map(done -> {
            if (!done) {
                throw notDead(id);
            }
            return Map.of("id", id, "status", "queued");
        }) : Uni.createFrom().failure(notDead(id));
        respond(ctx, redriven, 202);
    }

    private void respond(RoutingContext ctx, Uni<?> body, int status) {
        body.subscribe().with(item -> {
            try {
                ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(json.writeValueAsString(item));
            } catch (JsonProcessingException e) {
                ctx.fail(e);
            }
        }, failure -> {
            if (failure instanceof ProblemException problem) {
                fail(ctx, problem);
            } else {
                fail(ctx, ProblemException.unavailable("store-unavailable",
                        "The data store is not reachable right now; retry shortly", 2));
            }
        });
    }

    private void fail(RoutingContext ctx, ProblemException e) {
        problems.send(ctx, e);
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ProblemException.badRequest("invalid-limit", "limit must be an integer 1-" + MAX_LIMIT);
    }

    private static ProblemException notDead(String id) {
        return ProblemException.notFound("no-dead-job", "No dead job " + id + " (unknown, not dead, or expired)");
    }
}
