package dev.tally.live;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.tally.redis.Keys;
import dev.tally.redis.RedisNodes;
import dev.tally.redis.SlotOwners;
import dev.tally.runtime.FailureEpisode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

/**
 * The replica's change subscriptions: one {@link ChangeSubscription} per Redis node that serves a watched
 * counter's channel. Changes are published with {@code SPUBLISH} (sharded pub/sub), so on a Redis Cluster a
 * change reaches only the master that owns its counter's slot (and that master's replicas), not every node as
 * classic {@code PUBLISH} does: a subscriber must be on that master. On a single Redis or behind Sentinel there
 * is one node, reached through the application's client (which asks the sentinels for the master on every
 * connect, so a failover is followed by reconnecting).
 * <p>
 * On a Cluster each watched counter is placed on the master that {@code CLUSTER SLOTS} names for its channel's
 * slot. The layout is read again, {@code tally.live.resubscribe-delay} after any sign that it changed: a node
 * lost or unreachable (killed, failed over), a {@code sunsubscribe} Redis sent by itself (the slot moved), a
 * {@code MOVED} or {@code CLUSTERDOWN} refusal; counters whose owner changed move to the new master's subscription,
 * counters not yet placed are placed, and a node that holds no counter any more is disconnected. Until a counter
 * is subscribed again its feed is forgotten, and the hub re-reads it after the new confirmation: whatever the gap,
 * sockets end on the current value. All on the hub's context.
 */
final class ChangeSubscriptions implements ChangeSubscription.Listener {

    private static final Logger LOG = Logger.getLogger(ChangeSubscriptions.class);
    private static final String SINGLE = ""; // the one node of a single Redis or a Sentinel set

    /** What the hub hears. */
    interface Listener {
        void subscribed(String counter);

        void changed(String counter, String payload);

        /** These counters' changes may have been missed: forget what is known, a confirmation will follow. */
        void lost(Collection<String> counters);
    }

    private final Vertx vertx;
    private final Context hub;
    private final Redis redis;
    private final RedisNodes nodes;
    private final Keys keys;
    private final LiveSettings settings;
    private final LiveMetrics metrics;
    private final FailureEpisode trouble;
    private final Map<String, ChangeSubscription> subscriptions = new HashMap<>(); // by node
    private final Map<String, ChangeSubscription> placed = new HashMap<>(); // by counter
    private final Set<String> unplaced = new LinkedHashSet<>(); // watched, waiting for a node
    private Listener listener;
    private SlotOwners owners; // Cluster: the last layout read; null before the first
    private boolean replaceScheduled;
    private boolean closed;

    ChangeSubscriptions(Vertx vertx, Context hub, Redis redis, RedisNodes nodes, Keys keys, LiveSettings settings,
            LiveMetrics metrics) {
        this.vertx = vertx;
        this.hub = hub;
        this.redis = redis;
        this.nodes = nodes;
        this.keys = keys;
        this.settings = settings;
        this.metrics = metrics;
        this.trouble = new FailureEpisode(LOG, "Reading the Redis Cluster's slots for live feeds",
                settings.resubscribeDelay());
    }

    void start(Listener listener) {
        this.listener = listener;
        if (nodes.cluster()) {
            readLayoutAndPlace();
        } else {
            subscription(SINGLE); // connect now: the subscription is up before the first watcher comes
        }
    }

    void subscribe(String counter) {
        unplaced.add(counter);
        place();
    }

    void unsubscribe(String counter) {
        unplaced.remove(counter);
        ChangeSubscription at = placed.remove(counter);
        if (at != null) {
            at.remove(counter);
            closeIfIdle(at);
        }
    }

    void close() {
        closed = true;
        subscriptions.values().forEach(ChangeSubscription::close);
        subscriptions.clear();
    }

    @Override
    public void subscribed(String counter) {
        listener.subscribed(counter);
    }

    @Override
    public void changed(String counter, String payload) {
        listener.changed(counter, payload);
    }

    @Override
    public void lost(ChangeSubscription node, Collection<String> counters) {
        listener.lost(counters);
        if (nodes.cluster()) {
            replaceLater(); // the node may be gone for good, its slots served by a promoted replica
        }
    }

    @Override
    public void moved(ChangeSubscription node, Collection<String> counters) {
        counters.forEach(counter -> {
            placed.remove(counter, node);
            unplaced.add(counter);
        });
        listener.lost(counters);
        closeIfIdle(node);
        replaceLater();
    }

    /** Places every counter that waits for a node, where the layout says (on one Redis: its only node). */
    private void place() {
        for (String counter : List.copyOf(unplaced)) {
            owner(counter).ifPresent(node -> {
                unplaced.remove(counter);
                ChangeSubscription at = subscription(node);
                placed.put(counter, at);
                at.add(counter);
            });
        }
        if (!unplaced.isEmpty()) {
            replaceLater(); // no master known for some slots yet (a failover in progress)
        }
    }

    /** Moves the counters whose slot another master serves now; their feeds are forgotten until subscribed. */
    private void rebalance() {
        List<String> moving = new ArrayList<>();
        placed.forEach((counter, at) -> {
            if (!owner(counter).map(at.node()::equals).orElse(false)) {
                moving.add(counter);
            }
        });
        for (String counter : moving) {
            ChangeSubscription at = placed.remove(counter);
            at.drop(counter);
            unplaced.add(counter);
            closeIfIdle(at);
        }
        if (!moving.isEmpty()) {
            LOG.debugf("Live feeds: %d counters move to other masters", moving.size());
            listener.lost(moving);
        }
        place();
    }

    private Optional<String> owner(String counter) {
        if (!nodes.cluster()) {
            return Optional.of(SINGLE);
        }
        return owners == null ? Optional.empty() : owners.ownerOf(keys.counterChanges(counter));
    }

    private ChangeSubscription subscription(String node) {
        ChangeSubscription existing = subscriptions.get(node);
        if (existing != null) {
            return existing;
        }
        Redis client = SINGLE.equals(node) ? redis : nodes.node(node);
        ChangeSubscription fresh = new ChangeSubscription(node, client::connect, vertx, hub, keys, settings, metrics,
                this);
        subscriptions.put(node, fresh);
        fresh.start();
        return fresh;
    }

    private void closeIfIdle(ChangeSubscription node) {
        if (nodes.cluster() && node.idle() && subscriptions.remove(node.node(), node)) {
            node.close();
        }
    }

    /** Reads the layout again (on one Redis: places again) after the resubscribe delay; one at a time. */
    private void replaceLater() {
        if (replaceScheduled || closed) {
            return;
        }
        replaceScheduled = true;
        vertx.setTimer(settings.resubscribeDelay().toMillis(), tick -> onHub(() -> {
            replaceScheduled = false;
            if (nodes.cluster()) {
                readLayoutAndPlace();
            } else {
                place();
            }
        }));
    }

    private void readLayoutAndPlace() {
        nodes.slotOwners().subscribe().with(layout -> onHub(() -> {
            trouble.succeeded();
            owners = layout;
            rebalance();
        }), failure -> onHub(() -> {
            trouble.failed(failure);
            replaceLater();
        }));
    }

    private void onHub(Runnable action) {
        hub.runOnContext(ignored -> {
            if (!closed) {
                action.run();
            }
        });
    }
}
