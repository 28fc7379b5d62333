package dev.tally.web;

import java.util.Optional;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.tally.redis.RedisSettings;
import dev.tally.redis.RedisUnavailableException;
import io.smallrye.mutiny.CompositeException;
import io.vertx.core.http.HttpServerRequest;

/**
 * The one rule, for both ports and both layers (JAX-RS mappers and Vert.x routes), of which failures are answers
 * rather than bugs: a deliberate refusal ({@link ProblemException}) is its own problem, Redis trouble
 * ({@link RedisUnavailableException}: down, frozen, pool exhausted, or refusing for now: full, read-only, loading,
 * busy) is a 503 {@code store-unavailable} with the
 * configured {@code tally.redis.retry-after}. Anything else is a bug, which the caller answers with a 500.
 */
@Singleton
public class ExpectedFailures {

    private static final Logger LOG = Logger.getLogger(ExpectedFailures.class);

    private final ProblemException storeUnavailable;
    private final ProblemException writeUnconfirmed;

    public ExpectedFailures(RedisSettings redis) {
        // Made once: it carries no stack trace and nothing of the request, so every outage answer can share it.
        this.storeUnavailable = ProblemException.unavailable("store-unavailable",
                "The data store is not reachable right now; retry shortly", redis.retryAfter().toSeconds());
        this.writeUnconfirmed = ProblemException.unavailable("store-unavailable",
                "The change may have happened: the data store made it, but fewer than " + redis.minReplicasAcked()
                        + " of its replicas confirmed it in time, so a failover could still lose it. Retry shortly;"
                        + " an increment retried with the same Idempotency-Key is counted exactly once",
                redis.retryAfter().toSeconds());
    }

    /** The problem {@code failure} stands for, or empty when it is a bug. */
    public Optional<ProblemException> asProblem(Throwable failure, HttpServerRequest request) {
        if (failure instanceof CompositeException together) {
            // Reads joined with collectFailures (one per job shard, say) fail together when Redis does: the first
            // failure stands for all, as it would have with failFast.
            return asProblem(together.getCauses().getFirst(), request);
        }
        if (failure instanceof ProblemException problem) {
            return Optional.of(problem);
        }
        if (failure instanceof RedisUnavailableException unavailable) {
            if (unavailable.writeUnconfirmed()) {
                LOG.debugf("Redis replicas did not confirm %s %s: %s", request.method(), request.path(),
                        failure.getMessage());
                return Optional.of(writeUnconfirmed);
            }
            if (unavailable.refusal().isPresent()) {
                // Counted by kind in tally_redis_refusals_total, and the background tasks log the episode once: a
                // warning per request would cost a full Redis' every client a log line.
                LOG.debugf("Redis refused %s %s for now: %s", request.method(), request.path(), failure.getMessage());
            } else {
                LOG.warnf("Redis unavailable for %s %s: %s", request.method(), request.path(), failure.getMessage());
            }
            return Optional.of(storeUnavailable);
        }
        return Optional.empty();
    }
}
