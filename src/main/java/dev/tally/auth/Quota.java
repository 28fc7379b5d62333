package dev.tally.auth;

import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.tally.redis.Keys;
import dev.tally.redis.RedisGateway;
import dev.tally.web.ProblemException;
import dev.tally.web.ProblemWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;

/**
 * Pipeline stage "quota" (installed by {@code pipeline/RequestPipeline}, right after {@link Authentication}):
 * requests per second per caller, an API key by its id and an anonymous caller by its client address (the one
 * Nginx forwards, as {@code quarkus.http.proxy.*} resolves it). A script counts it in Redis, so every replica
 * shares the count: one per request, or one for the requests of a caller that arrive while its last count is on its
 * way ({@link QuotaCounter}). Past the quota: 429 {@code rate-limited} with {@code Retry-After}; every answer
 * carries the {@code RateLimit-Policy} and {@code RateLimit} fields of draft-ietf-httpapi-ratelimit-headers-11.
 *
 * <p>Redis trouble during the check lets the request through (fail-open, see docs/security.md): the quota
 * protects capacity, and refusing everything while Redis is unreachable would turn a limiter hiccup into an
 * outage of routes that do not need Redis; those that do answer their own 503.
 */
@Singleton
public class Quota {

    private static final Logger LOG = Logger.getLogger(Quota.class);
    static final long WINDOW_MS = 1000;
    private static final String POLICY_FIELD = "RateLimit-Policy";
    private static final String REMAINING_FIELD = "RateLimit";

    private final QuotaCounter counter;
    private final Keys keys;
    private final ProblemWriter problems;
    private final AuthSettings.QuotaSettings settings;
    private final Policy keyPolicy;
    private final Policy anonymousPolicy;

    Quota(RedisGateway redis, Keys keys, ProblemWriter problems, AuthSettings settings, MeterRegistry registry) {
        this.keys = keys;
        this.problems = problems;
        this.settings = settings.quota();
        this.counter = new QuotaCounter(redis, this.settings.checkTimeout(), WINDOW_MS, registry);
        if (this.settings.keyRate() < 1 || this.settings.anonymousRate() < 1) {
            throw new IllegalArgumentException("tally.auth.quota.key-rate and anonymous-rate must be at least 1");
        }
        this.keyPolicy = new Policy("key", this.settings.keyRate(), "API key");
        this.anonymousPolicy = new Policy("anonymous", this.settings.anonymousRate(), "client address");
    }

    public void check(RoutingContext ctx) {
        if (!settings.enabled()) {
            ctx.next();
            return;
        }
        Caller caller = Caller.of(ctx);
        Policy policy;
        String subject;
        if (caller.isAnonymous()) {
            policy = anonymousPolicy;
            subject = "addr-" + ctx.request().remoteAddress().hostAddress();
        } else {
            policy = keyPolicy;
            subject = caller.identity();
        }
        // The body handler comes later; hold the body back while Redis answers (it resumes the request).
        ctx.request().pause();
        counter.count(keys.quotaWindow(subject), place -> {
            ctx.request().resume();
            long secondsLeft = Math.max(1, (place.msLeft() + 999) / 1000);
            String remaining = policy.remaining(place.count(), secondsLeft);
            if (place.count() > policy.limit) {
                Map<String, String> headers = new HashMap<>();
                headers.put(POLICY_FIELD, policy.field);
                headers.put(REMAINING_FIELD, remaining);
                headers.put("Retry-After", Long.toString(secondsLeft));
                problems.send(ctx, ProblemException.tooManyRequests("rate-limited", "Over the quota of "
                        + policy.limit + " requests per second for this " + policy.subjectKind
                        + "; retry after the window ends", headers));
                return;
            }
            ctx.response().headers().add(POLICY_FIELD, policy.field).add(REMAINING_FIELD, remaining);
            ctx.next();
        }, failure -> {
            ctx.request().resume();
            LOG.debugf("quota unchecked (fail-open): %s", failure.getMessage());
            ctx.next();
        });
    }

    /** One quota policy and what of its fields never changes, built once rather than per request. */
    private static final class Policy {

        final int limit;
        final String field;
        final String subjectKind;
        private final String remainingPrefix;

        Policy(String name, int limit, String subjectKind) {
            this.limit = limit;
            this.field = "\"" + name + "\";q=" + limit + ";w=1";
            this.subjectKind = subjectKind;
            this.remainingPrefix = "\"" + name + "\";r=";
        }

        String remaining(long count, long secondsLeft) {
            return remainingPrefix + Math.max(0, limit - count) + ";t=" + secondsLeft;
        }
    }
}
