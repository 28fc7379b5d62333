package dev.tally.redis;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;

/**
 * {@code tally.redis.min-replicas-acked}: a change is answered only once that many replicas have it. Redis replicates
 * asynchronously, so a master that dies right after answering can take its last writes with it; {@code WAIT n
 * timeout} blocks the client until {@code n} replicas have acknowledged everything <em>that connection</em> wrote
 * (Redis tracks the offset per client). It must therefore follow the write on the very connection that made it: on
 * any other, the offset to wait for is that connection's own older one, and {@code WAIT} answers at once, confirming
 * nothing ({@code ReplicaAcknowledgementTest} shows both). So the write and its {@code WAIT} go out as one batch:
 * one pooled connection, one round trip, and on a Redis Cluster the node that takes the write, because the cluster
 * client routes a batch by its keyed commands (a key-less {@code WAIT} sent alone would go to a random master).
 *
 * <p>Fewer replicas in time is no proof that the change failed: it was made on the master, only not confirmed. The
 * caller gets a 503 that says so ({@link RedisUnavailableException#writeUnconfirmed()}). This narrows the window of
 * lost writes; it is not strong consistency (Redis' own words for {@code WAIT}): a failover may still promote a
 * replica that did not have it, when more replicas exist than were waited for.
 */
final class ReplicaAcknowledgement {

    // What the driver makes of a failed batch: "ERR [index] <that reply>" per failed command, one per line, with a
    // leading "ERR " of the reply itself cut off (io.vertx.redis.client.impl.RedisStandaloneConnection#batch).
    private static final String FIRST_COMMAND = "ERR [0] ";
    private static final String SECOND_COMMAND = "ERR [1] ";
    // The driver writes a command that failed without a reply (its connection closed under it) the same way, as
    // the exception's toString(): "io.netty.channel.StacklessClosedChannelException", "...Throwable: message". A
    // Redis error reply never starts with a qualified class name.
    private static final Pattern CLIENT_SIDE = Pattern.compile("(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?::.*)?");

    private final int replicas;
    private final Duration timeout;

    /**
     * {@code replicas} to wait for, within a third of the command's budget: a write whose script Redis does not have
     * yet ({@code NOSCRIPT}, after a restart or a failover) is sent twice, each time with its {@code WAIT}, and both
     * must fit in the budget with their round trips, so that an unconfirmed write is told as such, not as a
     * timeout.
     */
    ReplicaAcknowledgement(int replicas, Duration commandTimeout) {
        if (replicas < 0) {
            throw new IllegalArgumentException("tally.redis.min-replicas-acked must be 0 or more, not " + replicas);
        }
        this.replicas = replicas;
        // Never WAIT ... 0: that would wait forever.
        this.timeout = Duration.ofMillis(Math.max(1, commandTimeout.toMillis() / 3));
    }

    boolean wanted() {
        return replicas > 0;
    }

    /** The write followed by its {@code WAIT}, to send as one batch. */
    List<Request> batch(Request write) {
        return List.of(write, Request.cmd(Command.WAIT).arg(replicas).arg(timeout.toMillis()));
    }

    /** The write's reply, once the {@code WAIT} answered with enough replicas. */
    Response confirmed(List<Response> replies, String what) {
        long acknowledged = replies.get(1).toLong();
        if (acknowledged < replicas) {
            throw unconfirmed(what, acknowledged + " of " + replicas + " replicas confirmed it within " + timeout);
        }
        return replies.get(0);
    }

    /**
     * What a failed batch means: the write's own error reply when the write failed (so that every caller sees the
     * same errors as without {@code WAIT}: a refusal, a script's answer, {@code NOSCRIPT}), Redis unavailable when
     * the write got no reply (its connection closed), or an unconfirmed change when only the {@code WAIT} failed.
     * Empty for any other failure (no connection, a timeout), which the gateway translates as usual.
     */
    Optional<Throwable> ofFailedBatch(Throwable failure, String what) {
        if (!(failure instanceof ErrorType batch) || batch.getMessage() == null) {
            return Optional.empty();
        }
        for (String line : batch.getMessage().split("\\R")) {
            if (line.startsWith(FIRST_COMMAND)) {
                String reply = line.substring(FIRST_COMMAND.length());
                return Optional.of(CLIENT_SIDE.matcher(reply).matches()
                        ? new RedisUnavailableException(what + " failed: " + reply, failure)
                        : ErrorType.create(reply));
            }
        }
        for (String line : batch.getMessage().split("\\R")) {
            if (line.startsWith(SECOND_COMMAND)) {
                return Optional.of(unconfirmed(what, "WAIT failed: " + line.substring(SECOND_COMMAND.length())));
            }
        }
        return Optional.empty();
    }

    private static RedisUnavailableException unconfirmed(String what, String why) {
        return RedisUnavailableException.writeUnconfirmed(what + " was made but not confirmed: " + why);
    }
}
