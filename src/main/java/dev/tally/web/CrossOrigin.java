package dev.tally.web;

import java.util.List;
import java.util.Set;

import jakarta.inject.Singleton;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;

/**
 * Pipeline stage "cross-origin" (app port): lets the browser origins of {@code tally.cors.origins} (the management
 * port's Swagger UI, an operator's console) call the API, and no other. Unset, it passes every request on untouched:
 * no CORS header is ever sent, so a browser lets no other origin read an answer.
 *
 * <p>Vert.x Web's {@link CorsHandler} does the protocol; this class only decides where it runs and what it allows.
 * It is not Quarkus' {@code quarkus.http.cors} filter on purpose: that one is a route Quarkus orders after the
 * pipeline, so the pipeline's own refusals (a 401 for a bad key, a 429 over the quota, a 413) would reach the
 * browser without CORS headers, and Swagger UI would show a bare "failed to fetch" instead of the problem. Here it
 * runs before them: a preflight is answered before authentication and the quota (it carries no key and costs no
 * quota), and an allowed origin's answer, refusals included, carries the headers. A request from another origin is
 * refused with a 403 problem ({@code about:blank}; browsers send {@code Origin}, curl and servers do not, and pass).
 */
@Singleton
public class CrossOrigin {

    /** What a browser may send: the key, a JSON body, and the headers the API reads. */
    static final Set<String> ALLOWED_HEADERS = Set.of("Authorization", "Content-Type", "Idempotency-Key",
            "X-Request-Timeout", RequestIds.HEADER);
    /** What a browser script may read beyond the basic response headers: everything the API documents. */
    static final Set<String> EXPOSED_HEADERS = Set.of("Location", "Retry-After", "RateLimit-Policy", "RateLimit",
            RequestIds.HEADER, RequestTagging.INSTANCE_HEADER, "Idempotent-Replayed", "Server-Timing");
    /** A browser may cache a preflight this long (Chromium caps it at 2 hours). */
    private static final int PREFLIGHT_MAX_AGE_SECONDS = 600;

    private final RouterProblems problems;
    private final Set<String> origins;
    private final CorsHandler cors;

    public CrossOrigin(CrossOriginSettings settings, RouterProblems problems) {
        this.problems = problems;
        List<String> origins = settings.origins().orElse(List.of());
        this.origins = Set.copyOf(origins);
        this.cors = origins.isEmpty() ? null : CorsHandler.create().addOrigins(origins)
                .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PATCH,
                        HttpMethod.DELETE))
                .allowedHeaders(ALLOWED_HEADERS).exposedHeaders(EXPOSED_HEADERS)
                .maxAgeSeconds(PREFLIGHT_MAX_AGE_SECONDS)
                // The session lives in a cookie: without credentials a listed origin could try every operation but
                // the session ones. Safe only because the origins are an explicit list (never "*", which the
                // handler refuses with credentials anyway), and the cookie stays SameSite=Lax and HttpOnly.
                .allowCredentials(true);
    }

    public void handle(RoutingContext ctx) {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        if (cors == null || origin == null) {
            ctx.next();
        } else if (!origins.contains(origin)) {
            // Refused here rather than by the handler, whose 403 says nothing: the problem names the setting.
            problems.send(ctx, 403, "This request's Origin may not call this API from a browser; "
                    + "tally.cors.origins lists the origins that may");
        } else {
            cors.handle(ctx);
        }
    }
}
