package dev.tally.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;

/**
 * Counts requests against a caller's quota window in Redis, with one script for all the requests of one caller that
 * reach one event loop while that caller's previous count is on its way (a group commit). Each request still counts
 * once and gets its own place in the window, exactly as if they had been sent one by one: a batch of {@code n}
 * adds {@code n} and its requests take the last {@code n} places. A lone request is sent at once, as before; under
 * load the batches grow by themselves with the round trip, so the quota costs one Redis call per caller per round
 * trip and event loop instead of one per request (it was the most expensive feature of a request: docs/tuning.md).
 * A request waits at most for the count before its own and then its own, each within the check's timeout.
 *
 * <p>Thread confinement instead of locks: each event loop has its own open batches, touched only by its thread; a
 * reply comes back on the context that sent it (the same loop), and each request goes on on its own context. Off
 * an event loop (no such caller today) every request is counted alone.
 */
final class QuotaCounter {

    /** A request's place in its window ({@code 1} is the window's first request) and the window's time left. */
    record Place(long count, long msLeft) {
    }

    private static final LuaScript SCRIPT = LuaScript.load("auth_quota");

    private final RedisGateway redis;
    private final Duration timeout;
    private final String windowMs;
    private final Counter calls;
    private final ThreadLocal<Map<String, Batch>> openBatches = ThreadLocal.withInitial(HashMap::new);

    QuotaCounter(RedisGateway redis, Duration timeout, long windowMs, MeterRegistry registry) {
        this.redis = redis;
        this.timeout = timeout;
        this.windowMs = Long.toString(windowMs);
        this.calls = Counter.builder("tally.quota.redis.calls")
                .description("Quota scripts sent to Redis; each counts every request of one caller that waited for it")
                .register(registry);
    }

    /** Counts one request of the caller whose window is {@code key}; answers on the calling context. */
    void count(String key, Consumer<Place> counted, Consumer<Throwable> failed) {
        Context context = Vertx.currentContext();
        Waiter waiter = new Waiter(context, counted, failed);
        if (context == null || !Context.isOnEventLoopThread()) {
            send(key, List.of(waiter), null);
            return;
        }
        Map<String, Batch> open = openBatches.get();
        Batch batch = open.get(key);
        if (batch != null) {
            batch.waiting.add(waiter);
            return;
        }
        batch = new Batch(key, open, context);
        open.put(key, batch);
        send(key, List.of(waiter), batch);
    }

    /** One script for {@code group}; then, on the batch's loop, the requests that queued meanwhile. */
    private void send(String key, List<Waiter> group, Batch batch) {
        calls.increment();
        redis.script(SCRIPT, List.of(key), List.of(windowMs, Integer.toString(group.size())), timeout)
                .subscribe().with(reply -> {
                    answer(group, reply);
                    sendNext(batch);
                }, failure -> {
                    group.forEach(waiter -> waiter.fail(failure));
                    sendNext(batch);
                });
    }

    private static void answer(List<Waiter> group, Response reply) {
        long last = reply.get(0).toLong();
        long msLeft = reply.get(1).toLong();
        long first = last - group.size() + 1;
        for (int i = 0; i < group.size(); i++) {
            group.get(i).count(new Place(first + i, msLeft));
        }
    }

    private void sendNext(Batch batch) {
        if (batch == null) {
            return;
        }
        batch.onItsLoop(() -> {
            if (batch.waiting.isEmpty()) {
                batch.open.remove(batch.key);
                return;
            }
            List<Waiter> group = batch.waiting;
            batch.waiting = new ArrayList<>();
            // Sent from the context of its first request: the call's budget is then one of that request's timeout
            // slots, swept while it waits for this very call (the request that sent the last one may be over).
            group.get(0).context.runOnContext(ignored -> send(batch.key, group, batch));
        });
    }

    /** The requests of one caller on one event loop that wait for the count on its way. */
    private static final class Batch {

        final String key;
        final Map<String, Batch> open;
        final Context context;
        final Thread loop = Thread.currentThread();
        List<Waiter> waiting = new ArrayList<>();

        Batch(String key, Map<String, Batch> open, Context context) {
            this.key = key;
            this.open = open;
            this.context = context;
        }

        void onItsLoop(Runnable action) {
            if (Thread.currentThread() == loop) {
                action.run();
            } else {
                context.runOnContext(ignored -> action.run());
            }
        }
    }

    /** One request waiting for its place, answered on its own context (its request-scoped state lives there). */
    private record Waiter(Context context, Consumer<Place> counted, Consumer<Throwable> failed) {

        void count(Place place) {
            on(() -> counted.accept(place));
        }

        void fail(Throwable failure) {
            on(() -> failed.accept(failure));
        }

        private void on(Runnable action) {
            if (context == null || Vertx.currentContext() == context) {
                action.run();
            } else {
                context.runOnContext(ignored -> action.run());
            }
        }
    }
}
