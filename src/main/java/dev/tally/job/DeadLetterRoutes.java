package dev.tally.job;

import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.tally.web.ProblemException;
import dev.tally.web.RouteReplies;
import io.quarkus.vertx.http.ManagementInterface;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Operator endpoints on the management interface (never proxied by Nginx): {@code GET /ops/jobs/dead} lists
 * dead-lettered jobs, newest first ({@code ?limit=1-1000}, default 100); {@code POST
 * /ops/jobs/dead/{id}/redrive} queues a dead job again with a fresh allowance of attempts.
 */
@Singleton
public class DeadLetterRoutes {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final JobStore store;
    private final QueueReads reads;
    private final RouteReplies replies;

    public DeadLetterRoutes(JobStore store, QueueReads reads, RouteReplies replies) {
        this.store = store;
        this.reads = reads;
        this.replies = replies;
    }

    void install(@Observes ManagementInterface management) {
        // Tagging, problems and Redis-failure answers come from the management pipeline (pipeline/RequestPipeline).
        management.router().get("/ops/jobs/dead").handler(this::list);
        management.router().post("/ops/jobs/dead/:id/redrive").handler(this::redrive);
    }

    private void list(RoutingContext ctx) {
        int limit;
        try {
            limit = limit(ctx.request().getParam("limit"));
        } catch (ProblemException e) {
            replies.fail(ctx, e);
            return;
        }
        replies.reply(ctx, 200, reads.deadLetters(limit).map(items -> Map.of("items", items)));
    }

    private void redrive(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Uni<Object> redriven = JobId.isValid(id) ? store.redrive(id).map(done -> {
            if (!done) {
                throw notDead(id);
            }
            return Map.of("id", id, "status", "queued");
        }) : Uni.createFrom().failure(notDead(id));
        replies.reply(ctx, 202, redriven);
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
