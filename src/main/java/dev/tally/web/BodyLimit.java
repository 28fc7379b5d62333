package dev.tally.web;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Pipeline stage "body limit" (installed by {@code pipeline/RequestPipeline}). Enforces
 * {@code quarkus.http.limits.max-body-size} so that every oversized body gets the 413 problem. Quarkus itself
 * answers an oversized declared length, and a chunked body that grows too large mid-read, with an empty 413; both
 * cases are caught here first.
 */
@Singleton
public class BodyLimit {

    private final RouterProblems problems;
    private final long maxBodyBytes;
    private final BodyHandler chunkedBodies;

    public BodyLimit(RouterProblems problems,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.problems = problems;
        this.maxBodyBytes = maxBodySize.asLongValue();
        this.chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    }

    String tooLarge() {
        return "The request body is larger than " + maxBodyBytes + " bytes";
    }

    public void check(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null && ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
            // No declared length: buffer up to the limit; going over fails the route with 413 (RouterProblems).
            // Behind Nginx every body arrives with a length, so this only serves direct clients.
            chunkedBodies.handle(ctx);
        } else if (length != null && declaredTooLarge(length)) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close"); // the unread body is still on its way
            problems.send(ctx, 413, tooLarge());
        } else {
            ctx.next();
        }
    }

    private boolean declaredTooLarge(String length) {
        try {
            return Long.parseLong(length) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false; // a malformed length is Vert.x's to reject
        }
    }
}
