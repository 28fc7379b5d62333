package dev.tally.live;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.tally.counter.CounterState;
import dev.tally.counter.CounterStore;
import dev.tally.redis.Keys;
import dev.tally.redis.RedisNodes;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

/**
 * Fans counter changes out to the live sockets of this replica. It keeps one {@link Feed} per watched counter and
 * the {@link ChangeSubscriptions} to Redis for all of them (one connection per node that serves a watched counter:
 * one on a single Redis or behind Sentinel, up to one per master on a Cluster), and runs everything on one Vert.x
 * context (a single event-loop thread, never blocked: each step is a few map operations and non-blocking writes),
 * so feeds need no locks and every socket sees a counter's changes in one order.
 * <p>
 * Ordering: every change publishes ({@code SPUBLISH}) {@code "<version> <value>"} inside the script that makes it,
 * on the counter's own shard channel (it carries the counter's hash tag, so on a Cluster it is in the slot of the
 * keys the script touches, as Redis requires of a script), so Redis
 * delivers a counter's messages in version order. A feed's first state is read (value and version in one MGET)
 * only after Redis confirms the subscription; messages that raced that read are dropped or taken by version, so
 * the newest state always wins. After any gap (a lost connection, a failover, a slot that moved) the feeds concerned
 * forget their state, resubscribe, read again and send that fresh value to every socket: a promoted replica may
 * lack the last writes of a dead master, so its state is taken even when its version is lower.
 */
@Singleton
public class ChangeHub implements ChangeSubscriptions.Listener {

    private static final Logger LOG = Logger.getLogger(ChangeHub.class);

    private final Vertx vertx;
    private final Redis redis;
    private final RedisNodes nodes;
    private final Keys keys;
    private final CounterStore counters;
    private final LiveSettings settings;
    private final LiveMetrics metrics;
    private final Map<String, Feed> feeds = new HashMap<>();
    private Context context;
    private ChangeSubscriptions subscription;

    public ChangeHub(Vertx vertx, Redis redis, RedisNodes nodes, Keys keys, CounterStore counters,
            LiveSettings settings, LiveMetrics metrics) {
        this.vertx = vertx;
        this.redis = redis;
        this.nodes = nodes;
        this.keys = keys;
        this.counters = counters;
        this.settings = settings;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent started) {
        context = vertx.getOrCreateContext();
        subscription = new ChangeSubscriptions(vertx, context, redis, nodes, keys, settings, metrics);
        context.runOnContext(ignored -> subscription.start(this));
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (context != null) {
            context.runOnContext(ignored -> subscription.close());
        }
    }

    /** Adds a socket to a counter's feed; it gets the current value, then every change. Any thread. */
    void watch(String counter, LatestValueSender watcher) {
        context.runOnContext(ignored -> {
            Feed feed = feeds.get(counter);
            if (feed == null) {
                feed = new Feed(counter);
                feeds.put(counter, feed);
                subscription.subscribe(counter); // the confirmation triggers the first read
            }
            feed.add(watcher);
        });
    }

    /** Any thread. */
    void unwatch(String counter, LatestValueSender watcher) {
        context.runOnContext(ignored -> {
            Feed feed = feeds.get(counter);
            if (feed != null && feed.remove(watcher)) {
                feeds.remove(counter);
                subscription.unsubscribe(counter);
            }
        });
    }

    @Override
    public void subscribed(String counter) {
        Feed feed = feeds.get(counter);
        if (feed != null) {
            refresh(feed);
        }
    }

    @Override
    public void changed(String counter, String payload) {
        Feed feed = feeds.get(counter);
        if (feed == null) {
            return; // unsubscribed meanwhile
        }
        try {
            feed.offer(CounterState.parse(payload));
        } catch (IllegalArgumentException foreign) {
            LOG.warnf("Ignored a malformed message on %s's change channel: %s", counter, payload);
        }
    }

    @Override
    public void lost(Collection<String> counters) {
        counters.forEach(counter -> {
            Feed feed = feeds.get(counter);
            if (feed != null) {
                feed.forget();
            }
        });
    }

    /** Reads the counter's current state into its feed; retried while Redis cannot answer and someone watches. */
    private void refresh(Feed feed) {
        counters.state(feed.name()).subscribe().with(
                state -> context.runOnContext(ignored -> feed.offer(state)),
                failure -> vertx.setTimer(settings.resubscribeDelay().toMillis(), tick -> context.runOnContext(
                        ignored -> {
                            if (feeds.get(feed.name()) == feed && !feed.known()) {
                                refresh(feed);
                            }
                        })));
    }
}
