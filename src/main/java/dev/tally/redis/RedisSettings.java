package dev.tally.redis;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How Tally uses Redis; connection and pool settings stay under the standard {@code quarkus.redis.*}. */
@ConfigMapping(prefix = "tally.redis")
public interface RedisSettings {

    /** {@code tally.redis.key-prefix}: first characters of every key Tally writes, so Redis can be shared. */
    @WithDefault("tally:")
    String keyPrefix();

    /**
     * {@code tally.redis.command-timeout}: longest wait for one Redis round trip (pool wait included) before the
     * request is answered 503. Keeps a dead or unreachable Redis from turning into hanging requests.
     */
    @WithDefault("1500ms")
    Duration commandTimeout();

    /** {@code tally.redis.ping-timeout}: the readiness check's PING budget; short, so probes never pile up. */
    @WithDefault("500ms")
    Duration pingTimeout();

    /** {@code tally.redis.retry-after}: the {@code Retry-After} sent with 503s while Redis is unavailable. */
    @WithDefault("2s")
    Duration retryAfter();

    /**
     * {@code tally.redis.min-replicas-acked}: when above 0, every change the API answers for (increments, resets,
     * session writes, job submits) is followed by {@code WAIT} for this many replicas on the connection that made
     * it, within a third of {@code command-timeout}; fewer in time is a 503 saying the change may have happened
     * ({@link ReplicaAcknowledgement}). 0: Redis' asynchronous replication alone.
     */
    @WithDefault("0")
    int minReplicasAcked();

    /**
     * {@code tally.redis.clock-tolerance}: how far this host's clock and Redis' may disagree. A change the API
     * answers for carries a deadline, its budget plus this, and Redis refuses it when it arrives later, after its
     * caller got a 503 ({@link WriteDeadline}).
     */
    @WithDefault("250ms")
    Duration clockTolerance();
}
