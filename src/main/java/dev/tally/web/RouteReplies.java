package dev.tally.web;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * How a hand-written Vert.x route (the management port's {@code /ops/*}) answers: JSON with the REST layer's own
 * mapper, and a failure as the same problem the REST layer would send ({@link RouterProblems#send}).
 */
@Singleton
public class RouteReplies {

    private static final String JSON = "application/json";

    private final ObjectMapper json;
    private final RouterProblems problems;

    public RouteReplies(ObjectMapper json, RouterProblems problems) {
        this.json = json;
        this.problems = problems;
    }

    public void json(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            problems.send(ctx, e);
        }
    }

    /** {@code body}'s item as JSON with {@code status}, or its failure as a problem. */
    public void reply(RoutingContext ctx, int status, Uni<?> body) {
        body.subscribe().with(item -> json(ctx, status, item), failure -> problems.send(ctx, failure));
    }

    /** A failure as a problem: a refusal or Redis trouble as such, anything else as a logged 500. */
    public void fail(RoutingContext ctx, Throwable failure) {
        problems.send(ctx, failure);
    }
}
