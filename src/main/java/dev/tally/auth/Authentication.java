package dev.tally.auth;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Singleton;

import dev.tally.web.ProblemWriter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Pipeline stage "authentication" (installed by {@code pipeline/RequestPipeline}): who is calling. No
 * {@code Authorization} header: the anonymous caller, with {@code tally.auth.anonymous-scopes}. A header that is
 * not exactly one {@code Bearer <key>} of a known, unexpired key: 401 {@code invalid-api-key} on every route, even
 * one the anonymous caller could use (RFC 6750: a client that sent credentials must learn they failed). Whether
 * the caller may use the route is decided later, by {@link ScopeCheck}, where the route is known.
 */
@Singleton
public class Authentication {

    private static final String BEARER = "Bearer ";

    private final ApiKeyCache cache;
    private final ProblemWriter problems;
    private final Caller anonymous;

    Authentication(ApiKeyCache cache, ProblemWriter problems, AuthSettings settings) {
        this.cache = cache;
        this.problems = problems;
        this.anonymous = Caller.anonymous(anonymousScopes(settings.anonymousScopes()));
    }

    public void authenticate(RoutingContext ctx) {
        List<String> headers = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION);
        if (headers.isEmpty()) {
            anonymous.attachTo(ctx);
            ctx.next();
            return;
        }
        Optional<ApiKeyToken> token = headers.size() == 1 ? bearer(headers.get(0)) : Optional.empty();
        if (token.isEmpty()) {
            problems.send(ctx, Challenges.invalidKey());
            return;
        }
        ApiKey cached = cache.fresh(token.get().id());
        if (cached != null) {
            admit(ctx, token.get(), cached);
            return;
        }
        // The body handler comes later; hold the body back while Redis answers (it resumes the request).
        ctx.request().pause();
        cache.load(token.get().id()).subscribe().with(key -> {
            ctx.request().resume();
            admit(ctx, token.get(), key);
        }, failure -> {
            ctx.request().resume();
            ctx.fail(failure); // Redis trouble: a 503 problem (web/RouterProblems)
        });
    }

    private void admit(RoutingContext ctx, ApiKeyToken token, ApiKey key) {
        if (key == null || !token.matches(key.secretHash()) || key.expiredAt(Instant.now())) {
            problems.send(ctx, Challenges.invalidKey());
            return;
        }
        cache.used(key);
        Caller.of(key).attachTo(ctx);
        ctx.next();
    }

    /** The token of {@code Bearer <token>} (the scheme is case-insensitive, RFC 9110), if it has a key's shape. */
    private static Optional<ApiKeyToken> bearer(String header) {
        if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return ApiKeyToken.parse(header.substring(BEARER.length()).strip());
    }

    static Set<Scope> anonymousScopes(List<String> names) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        if (names.equals(List.of("none"))) {
            return scopes;
        }
        for (String name : names) {
            scopes.add(Scope.fromWire(name.strip()).orElseThrow(() -> new IllegalArgumentException(
                    "tally.auth.anonymous-scopes: unknown scope '" + name + "'; known: " + Scope.known()
                            + ", or none")));
        }
        return scopes;
    }
}
