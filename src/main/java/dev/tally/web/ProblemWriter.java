package dev.tally.web;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Renders problems to JSON text. One writer serves both paths an error can take: JAX-RS exception mappers and
 * Vert.x router failures (oversized bodies, unknown routes), so every error has the same shape.
 */
@Singleton
public class ProblemWriter {

    private final ObjectMapper mapper;

    public ProblemWriter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** A problem for a plain HTTP status whose meaning needs no Tally-specific type. */
    public Problem generic(int status, String detail, String path, String requestId) {
        return new Problem("about:blank", reasonPhrase(status), status, detail, path, requestId, null);
    }

    public Problem of(ProblemException e, String path, String requestId) {
        return new Problem(Problem.type(e.slug()), e.title(), e.status(), e.getMessage(), path, requestId,
                e.errors());
    }

    public String json(Problem problem) {
        try {
            return mapper.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            // A record of strings and ints always serializes; this is unreachable short of a broken mapper.
            throw new IllegalStateException("cannot serialize problem", e);
        }
    }

    /** The JAX-RS answer for {@code problem}, for exception mappers (here and in features). */
    public Response.ResponseBuilder response(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(json(problem));
    }

    /** Answers a request that JAX-RS never sees (a Vert.x route handler) with {@code e}, headers included. */
    public void send(RoutingContext ctx, ProblemException e) {
        e.headers().forEach(ctx.response()::putHeader);
        send(ctx, of(e, ctx.normalizedPath(), RequestIds.of(ctx.request())));
    }

    public void send(RoutingContext ctx, Problem problem) {
        ctx.response().setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(json(problem));
    }

    public static String reasonPhrase(int status) {
        return HttpResponseStatus.valueOf(status).reasonPhrase();
    }
}
