package dev.tally.live;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.tally.redis.Keys;
import dev.tally.redis.SlotOwners;
import dev.tally.runtime.FailureEpisode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * One Redis connection in subscribe mode, to one node (a single Redis, the Sentinel master, or the Cluster master
 * that serves these counters' slots), for the counters {@link ChangeSubscriptions} placed there. Channels are
 * sharded ({@code SSUBSCRIBE} on the first local watcher, {@code SUNSUBSCRIBE} after the last), one command per
 * channel because a Cluster refuses channels of several slots in one; Redis sends this replica only changes
 * somebody here watches. When the connection is lost (Redis restarted, node killed, network cut) it is
 * re-established every {@code tally.live.resubscribe-delay} until the node answers, and every counter still
 * placed here is subscribed again. Redis itself may also say that a channel is not served here any more: a
 * {@code sunsubscribe} it sends by itself (the slot moved away, or this master became a replica) or a refusal
 * ({@code MOVED}, {@code CLUSTERDOWN}); such counters are handed back as moved.
 * <p>
 * All calls and all callbacks run on the hub's context (one thread), so the sets and the connection state need no
 * locks.
 */
final class ChangeSubscription {

    /** What the subscriptions hear; every call comes on the hub's context. */
    interface Listener {
        /** Redis confirmed the subscription: changes from now on arrive; read the current state now. */
        void subscribed(String counter);

        void changed(String counter, String payload);

        /** The connection broke or could not be made: changes of these counters may be missed meanwhile. */
        void lost(ChangeSubscription node, Collection<String> counters);

        /** Redis says these counters are not served on this node (any more); they are no longer placed here. */
        void moved(ChangeSubscription node, Collection<String> counters);
    }

    private static final Logger LOG = Logger.getLogger(ChangeSubscription.class);

    private final String node;
    private final Supplier<Future<RedisConnection>> connector;
    private final Vertx vertx;
    private final Context hub;
    private final Keys keys;
    private final LiveSettings settings;
    private final LiveMetrics metrics;
    private final FailureEpisode trouble;
    private final Listener listener;
    private final Set<String> counters = new HashSet<>(); // placed here
    private final Set<String> confirmed = new HashSet<>(); // ... and confirmed by Redis on this connection
    private final Set<String> leaving = new HashSet<>(); // SUNSUBSCRIBE sent, its confirmation not yet seen
    private RedisConnection connection; // null while not connected
    private boolean connecting;
    private boolean closed;

    ChangeSubscription(String node, Supplier<Future<RedisConnection>> connector, Vertx vertx, Context hub, Keys keys,
            LiveSettings settings, LiveMetrics metrics, Listener listener) {
        this.node = node;
        this.connector = connector;
        this.vertx = vertx;
        this.hub = hub;
        this.keys = keys;
        this.settings = settings;
        this.metrics = metrics;
        this.listener = listener;
        this.trouble = new FailureEpisode(LOG, "Redis change subscription" + (node.isEmpty() ? "" : " on " + node),
                settings.resubscribeDelay());
    }

    /** The node's {@code host:port} on a Cluster; empty on a single Redis or behind Sentinel. */
    String node() {
        return node;
    }

    void start() {
        connect();
    }

    void add(String counter) {
        if (counters.add(counter)) {
            send(Command.SSUBSCRIBE, counter);
        }
    }

    void remove(String counter) {
        if (counters.remove(counter)) {
            confirmed.remove(counter);
            if (connection != null) {
                leaving.add(counter);
                send(Command.SUNSUBSCRIBE, counter);
            }
        }
    }

    /** Forgets a counter placed elsewhere now, without a command: this node no longer serves its channel. */
    void drop(String counter) {
        counters.remove(counter);
        confirmed.remove(counter);
    }

    Collection<String> counters() {
        return List.copyOf(counters);
    }

    boolean idle() {
        return counters.isEmpty();
    }

    void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private void send(Command command, String counter) {
        if (connection == null) {
            return; // (re)connecting: every counter placed here is subscribed once the connection is up
        }
        RedisConnection current = connection;
        current.send(Request.cmd(command).arg(keys.counterChanges(counter)))
                .onFailure(failure -> onHub(() -> lost(current, failure)));
    }

    private void connect() {
        if (closed || connecting || connection != null) {
            return;
        }
        connecting = true;
        connector.get().onComplete(result -> onHub(() -> {
            connecting = false;
            if (result.failed()) {
                if (!closed) {
                    trouble.failed(result.cause());
                    listener.lost(this, counters());
                    retryLater();
                }
                return;
            }
            RedisConnection fresh = result.result();
            if (closed) {
                fresh.close();
                return;
            }
            connection = fresh;
            fresh.handler(push -> onHub(() -> received(fresh, push)));
            fresh.exceptionHandler(failure -> onHub(() -> lost(fresh, failure)));
            fresh.endHandler(ended -> onHub(() -> lost(fresh, null)));
            metrics.subscribed();
            if (counters.isEmpty()) {
                trouble.succeeded();
            }
            counters.forEach(counter -> send(Command.SSUBSCRIBE, counter));
            LOG.debugf("Redis change subscription up%s; subscribing %d counters",
                    node.isEmpty() ? "" : " on " + node, counters.size());
        }));
    }

    private void received(RedisConnection from, Response push) {
        if (from != connection || push == null) {
            return; // an old connection's late news
        }
        if (push.type() == ResponseType.ERROR) {
            refused(push.toString());
            return;
        }
        if (push.size() < 3) {
            return;
        }
        String kind = push.get(0).toString();
        keys.counterNameOfChanges(push.get(1).toString()).ifPresent(counter -> {
            switch (kind) {
                case "smessage" -> listener.changed(counter, push.get(2).toString());
                case "ssubscribe" -> {
                    trouble.succeeded(); // Redis took an SSUBSCRIBE: a refusal would have come instead
                    if (counters.contains(counter) && confirmed.add(counter)) {
                        listener.subscribed(counter);
                    }
                }
                case "sunsubscribe" -> {
                    if (!leaving.remove(counter) && counters.contains(counter)) {
                        // Not asked for: Redis dropped the channel because its slot is no longer served here.
                        drop(counter);
                        listener.moved(this, List.of(counter));
                    }
                }
                default -> { }
            }
        });
    }

    /**
     * A subscription command was refused. A redirect names the slot, so exactly its counters moved; any other
     * refusal (the cluster is down during a failover, a missing permission) applies to the counters Redis has not
     * confirmed, which are handed back to be placed again later.
     */
    private void refused(String error) {
        trouble.failed(new IllegalStateException("SSUBSCRIBE refused: " + error));
        OptionalInt slot = SlotOwners.redirectedSlot(error);
        List<String> displaced = new ArrayList<>();
        for (String counter : counters) {
            boolean inSlot = slot.isPresent() && SlotOwners.slotOf(keys.counterChanges(counter)) == slot.getAsInt();
            if (slot.isPresent() ? inSlot : !confirmed.contains(counter)) {
                displaced.add(counter);
            }
        }
        displaced.forEach(this::drop);
        if (!displaced.isEmpty()) {
            listener.moved(this, displaced);
        }
    }

    private void lost(RedisConnection which, Throwable failure) {
        if (which != connection) {
            return; // an old connection's late news
        }
        connection = null;
        confirmed.clear();
        leaving.clear();
        which.close();
        if (closed) {
            return;
        }
        trouble.failed(failure != null ? failure : new IllegalStateException("connection closed"));
        listener.lost(this, counters());
        retryLater();
    }

    private void retryLater() {
        vertx.setTimer(settings.resubscribeDelay().toMillis(), tick -> onHub(this::connect));
    }

    private void onHub(Runnable action) {
        hub.runOnContext(ignored -> action.run());
    }
}
