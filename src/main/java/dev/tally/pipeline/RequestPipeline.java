package dev.tally.pipeline;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.tally.auth.Authentication;
import dev.tally.auth.Quota;
import dev.tally.guard.DrainHandoff;
import dev.tally.live.LiveHandshakeGate;
import dev.tally.ops.OpsAccess;
import dev.tally.ops.OpsResponseHeaders;
import dev.tally.web.BodyLimit;
import dev.tally.web.CrossOrigin;
import dev.tally.web.RequestTagging;
import dev.tally.web.RequestTiming;
import dev.tally.web.RouterProblems;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.Router;

/**
 * Every stage a request passes around its resource, on both ports, in order: the only place a stage is installed.
 * The stages are plain beans with a handler method; none knows its position. Read top to bottom, each port's
 * method is the path of a request.
 *
 * <p>The app port's stages are the handlers of <em>one</em> route, in the order written: Vert.x calls a route's
 * handlers one after another as each calls {@code next()}, so their order cannot depend on CDI or on equal order
 * numbers. That route sits at the router's first position, before every route Quarkus or a resource adds.
 *
 * <p>What each early answer goes through, decided here and pinned by {@code RequestPipelineTest} and
 * {@code RequestPipelineDrainTest}:
 * <ul>
 * <li>a 413 (body limit) and a drain hand-back (the connection closed without an answer, logged as a 503) are
 * timed and logged, the 413 also tagged: both come after tagging and timing. They are what a client or Nginx acts
 * on, and a rollout or an oversized client should be visible in {@code tally.access} with the request's id.
 * <li>a 401 from authentication (a malformed, unknown, revoked or expired API key) is tagged, timed and logged
 * the same way (an admitted request's line names its key, never the secret); it comes before the live handshake
 * gate, so a socket that presents a key needs a valid one.
 * <li>a 429 from the quota (auth/Quota, right after authentication) is tagged, timed and logged the same way.
 * <li>a refused live handshake (400 bad name, 503 at the socket cap or while draining) is tagged, timed and
 * logged the same way; an accepted one leaves the in-flight registry at the gate and writes no access line, as
 * it becomes a socket that may stay open for hours (sockets have their own metrics, {@code live/LiveMetrics}).
 * <li>on the management port, a refusal for want of the ops token (401, or 403 where none is configured) is
 * tagged and carries the ops response headers ({@code no-store}, {@code nosniff}): both come before the check.
 * The check runs before Quarkus' body handler and every route, so an unauthenticated body is never read.
 * </ul>
 */
@Singleton
public class RequestPipeline {

    /** The router's first position: ahead of Quarkus' own routes (its body handler sits at {@code MIN_VALUE + 1}). */
    private static final int FIRST = Integer.MIN_VALUE;

    private final RouterProblems problems;
    private final RequestTagging tagging;
    private final RequestTiming timing;
    private final CrossOrigin crossOrigin;
    private final BodyLimit bodyLimit;
    private final DrainHandoff drainHandoff;
    private final Authentication authentication;
    private final Quota quota;
    private final LiveHandshakeGate liveGate;
    private final OpsResponseHeaders opsHeaders;
    private final OpsAccess opsAccess;

    public RequestPipeline(RouterProblems problems, RequestTagging tagging, RequestTiming timing,
            CrossOrigin crossOrigin, BodyLimit bodyLimit, DrainHandoff drainHandoff, Authentication authentication,
            Quota quota, LiveHandshakeGate liveGate, OpsResponseHeaders opsHeaders, OpsAccess opsAccess) {
        this.problems = problems;
        this.tagging = tagging;
        this.timing = timing;
        this.crossOrigin = crossOrigin;
        this.bodyLimit = bodyLimit;
        this.drainHandoff = drainHandoff;
        this.authentication = authentication;
        this.quota = quota;
        this.liveGate = liveGate;
        this.opsHeaders = opsHeaders;
        this.opsAccess = opsAccess;
    }

    /** The app port (8080), what Nginx proxies. */
    void appPort(@Observes Router router) {
        // Problem rendering: a failure in any stage or route below becomes a problem+json, never a stack trace.
        router.route().order(FIRST).failureHandler(problems::renderFailure);
        router.route().order(FIRST)
                // 1. Request id and tagging: first, so every answer below, refusals included, carries the ids.
                .handler(tagging::tag)
                // 2. Timing and in-flight tracking: before any refusal, so refusals are timed and logged too.
                .handler(timing::track)
                // 2b. Cross-origin (tally.cors.origins): answers a browser's preflight before any refusal below (it
                //     carries no key and costs no quota), and gives an allowed origin's answers, refusals below
                //     included, their CORS headers; another origin gets a 403. Unset: passes everything on.
                .handler(crossOrigin::handle)
                // 3. Body limit: refuse an oversized body before anything reads it.
                .handler(bodyLimit::check)
                // 4. Drain hand-back: a draining replica closes proxied idempotent requests unanswered, for Nginx to retry.
                .handler(drainHandoff::handOffWhileDraining)
                // 5. Authentication: who is calling (an API key, or the anonymous caller). After the hand-back (a
                //    request retried elsewhere is checked there), before the handshake gate and every resource. A
                //    malformed, unknown, revoked or expired key is a 401 here, on every route. Whether the caller
                //    may use the route is decided in the REST layer (auth/ScopeCheck, a request filter), because
                //    only there is the route known as RESTEasy matched it; a second reading of the path here could
                //    disagree with RESTEasy's (trailing slashes, encodings) and open a route by accident.
                .handler(authentication::authenticate)
                // 6. Quota: requests per second per caller (auth/Quota), right after it is known; a 429 here is
                //    tagged, timed and logged like the 401, and comes before the handshake gate and the body.
                .handler(quota::check);
        // 7. Live handshake gate: refuses a bad name, a full or draining replica before the WebSocket upgrade.
        router.route(LiveHandshakeGate.PATH).order(FIRST + 1).handler(liveGate::check);
        // Then the resource (JAX-RS or the WebSocket endpoint). Inside the REST layer, installed by RESTEasy from
        // their annotations: web/EmptyBodyMediaType before matching (an empty body has no media type to refuse),
        // web/ServingThreadFilter (the serving thread for the in-flight registry), auth/ScopeCheck (the route's
        // scope, see stage 5), guard/DeadlineInterceptor (the
        // request's deadline), and the problem mappers (web/ProblemMappers, guard/GuardProblemMappers).
        // Nothing matched: a 404 problem.
        router.route().last().handler(problems::noRoute);
    }

    /**
     * The management port (9000, never proxied): the same tagging and problems. Deliberately without timing (the
     * access log and in-flight registry are the app's requests; the console polls every second), without the body
     * limit (no route takes a body), and without the drain hand-back (probes and operators must reach a draining
     * replica).
     */
    void managementPort(@Observes ManagementInterface management) {
        Router router = management.router();
        router.route().order(FIRST).failureHandler(problems::renderFailure);
        router.route().order(FIRST)
                // 1. Request id and tagging, as on the app port.
                .handler(tagging::tag)
                // 2. Response headers: no-store and nosniff on every answer, the refusals below included.
                .handler(opsHeaders::add)
                // 3. The ops token: everything but ops/OpenManagementPaths (health probes, the API description,
                //    the console's static shell, metrics if opened) needs it; a route added later is closed too.
                .handler(opsAccess::check);
        router.route().last().handler(problems::noRoute);
    }
}
