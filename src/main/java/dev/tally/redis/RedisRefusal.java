package dev.tally.redis;

import java.util.Locale;
import java.util.Optional;

/**
 * The error replies with which a healthy Redis says "not now": the command was fine, Redis cannot take it at this
 * moment, and the same command succeeds later without any change on Tally's side. Each is an outage answer (503
 * {@code store-unavailable} with {@code Retry-After}), never a bug. The first word of the error reply is the code;
 * it is the same whether the command came alone or from inside a script (Redis 7 keeps the code and appends
 * {@code script: ...}).
 */
public enum RedisRefusal {

    /** {@code maxmemory} reached under {@code noeviction}: writes are refused until memory is freed or raised. */
    OOM,
    /** The server is (now) a replica, e.g. after a failover promoted another one: writes are refused. */
    READONLY,
    /** The server is loading its dataset (after a restart, or a replica's full sync): nothing is answered. */
    LOADING,
    /** A script or function runs longer than {@code busy-reply-threshold}: nothing else is answered until it ends. */
    BUSY,
    /** A replica with {@code replica-serve-stale-data no} lost its master. */
    MASTERDOWN,
    /** Redis Cluster: a multi-key command's keys are being resharded. */
    TRYAGAIN,
    /** Redis Cluster: the cluster is down (slots uncovered, no quorum). */
    CLUSTERDOWN,
    /**
     * Redis Cluster: the slot is served by another node now (a failover, a reshard). The cluster client follows a
     * {@code MOVED} itself, but not inside a batch, nor once its redirects are used up: then the next try, after the
     * client reloaded its slot map, goes to the right node.
     */
    MOVED,
    /** Redis Cluster: the slot is migrating and this key has left already; the same as {@link #MOVED} for Tally. */
    ASK,
    /** {@code min-replicas-to-write} is not met: writes are refused until enough replicas are back. */
    NOREPLICAS,
    /**
     * Tally's own, from a write script: the write reached Redis after its deadline ({@link WriteDeadline}), so it
     * was not made. Its caller has usually been answered 503 already; one that still waits (clocks further apart than
     * {@code tally.redis.clock-tolerance}) gets the same 503.
     */
    LATE;

    /** The refusal an error reply ({@code CODE message...}) is, or empty for any other error. */
    public static Optional<RedisRefusal> of(String errorReply) {
        if (errorReply == null) {
            return Optional.empty();
        }
        int space = errorReply.indexOf(' ');
        String code = space < 0 ? errorReply : errorReply.substring(0, space);
        for (RedisRefusal refusal : values()) {
            // Exact: BUSYGROUP (a stream group that exists) is not BUSY.
            if (refusal.name().equals(code)) {
                return Optional.of(refusal);
            }
        }
        return Optional.empty();
    }

    /** The lower-case name used as the metric tag and in logs, e.g. {@code oom}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
