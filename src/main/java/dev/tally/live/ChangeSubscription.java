package dev.tally.live;

import java.util.Collection;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import dev.tally.redis.Keys;
import dev.tally.runtime.FailureEpisode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The replica's one Redis connection in subscribe mode, shared by every live socket. Channels are subscribed per
 * watched counter (SUBSCRIBE on the first local watcher, UNSUBSCRIBE after the last), so Redis sends this replica
 * only changes somebody here watches; a pattern subscription would ship every change of every counter to every
 * replica and filter here. When the connection is lost (Redis restarted, network cut) it is re-established every
 * {@code tally.live.resubscribe-delay} until Redis answers, and every watched channel is subscribed again.
 * <p>
 * All calls and all callbacks run on the hub's context (one thread), so the set of channels and the connection
 * state need no locks.
 */
final class ChangeSubscription {

    /** What the hub hears; every call comes on the hub's context. */
    interface Listener {
        /** Redis confirmed the subscription: changes from now on arrive; read the current state now. */
        void subscribed(String counter);

        void changed(String counter, String payload);

        /** The connection was lost; changes may be missed until {@link #subscribed} comes again. */
        void lost();

        /** The names to subscribe to after (re)connecting. */
        Collection<String> watched();
    }

    private static final Logger LOG = Logger.getLogger(ChangeSubscription.class);

    private final Vertx vertx;
    private final Context hub;
    private final Redis redis;
    private final Keys keys;
    private final LiveSettings settings;
    private final LiveMetrics metrics;
    private final FailureEpisode trouble;
    private Listener listener;
    private RedisConnection connection; // null while not connected
    private boolean connecting;
    private boolean closed;

    ChangeSubscription(Vertx vertx, Context hub, Redis redis, Keys keys, LiveSettings settings, LiveMetrics metrics) {
        this.vertx = vertx;
        this.hub = hub;
        this.redis = redis;
        this.keys = keys;
        this.settings = settings;
        this.metrics = metrics;
        this.trouble = new FailureEpisode(LOG, "Redis change subscription", settings.resubscribeDelay());
    }

    void start(Listener listener) {
        this.listener = listener;
        connect();
    }

    void subscribe(String counter) {
        send(Command.SUBSCRIBE, keys.counterChanges(counter));
    }

    void unsubscribe(String counter) {
        send(Command.UNSUBSCRIBE, keys.counterChanges(counter));
    }

    void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private void send(Command command, String channel) {
        if (connection == null) {
            return; // (re)connecting: every watched channel is subscribed once the connection is up
        }
        RedisConnection current = connection;
        current.send(Request.cmd(command).arg(channel)).onFailure(failure -> onHub(() -> lost(current, failure)));
    }

    private void connect() {
        if (closed || connecting || connection != null) {
            return;
        }
        connecting = true;
        redis.connect().onComplete(result -> onHub(() -> {
            connecting = false;
            if (result.failed()) {
                trouble.failed(result.cause());
                retryLater();
                return;
            }
            RedisConnection fresh = result.result();
            if (closed) {
                fresh.close();
                return;
            }
            connection = fresh;
            fresh.handler(push -> onHub(() -> received(push)));
            fresh.exceptionHandler(failure -> onHub(() -> lost(fresh, failure)));
            fresh.endHandler(ended -> onHub(() -> lost(fresh, null)));
            resubscribeAll(fresh);
        }));
    }

    private void resubscribeAll(RedisConnection fresh) {
        Collection<String> watched = listener.watched();
        metrics.subscribed();
        if (watched.isEmpty()) {
            trouble.succeeded();
            return;
        }
        Request request = Request.cmd(Command.SUBSCRIBE);
        watched.forEach(counter -> request.arg(keys.counterChanges(counter)));
        fresh.send(request).onFailure(failure -> onHub(() -> lost(fresh, failure)));
        LOG.debugf("Redis change subscription up; subscribing %d watched counters", watched.size());
    }

    private void received(Response push) {
        if (push == null || push.size() < 3) {
            return;
        }
        String kind = push.get(0).toString();
        String channel = push.get(1).toString();
        Consumer<String> handler = switch (kind) {
            case "message" -> counter -> listener.changed(counter, push.get(2).toString());
            case "subscribe" -> counter -> {
                trouble.succeeded(); // Redis took a SUBSCRIBE: a refusal (BUSY) would have failed it
                listener.subscribed(counter);
            };
            default -> counter -> { }; // unsubscribe confirmations need nothing
        };
        keys.counterNameOfChanges(channel).ifPresent(handler);
    }

    private void lost(RedisConnection which, Throwable failure) {
        if (which != connection) {
            return; // an old connection's late news
        }
        connection = null;
        which.close();
        if (closed) {
            return;
        }
        trouble.failed(failure != null ? failure : new IllegalStateException("connection closed"));
        listener.lost();
        retryLater();
    }

    private void retryLater() {
        vertx.setTimer(settings.resubscribeDelay().toMillis(), tick -> onHub(this::connect));
    }

    private void onHub(Runnable action) {
        hub.runOnContext(ignored -> action.run());
    }
}
