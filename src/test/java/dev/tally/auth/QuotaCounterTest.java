package dev.tally.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tally.redis.RedisGateway;
import dev.tally.testsupport.Unique;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * {@link QuotaCounter} on the real Redis: requests of one caller that reach an event loop while its count is on its
 * way share one script, and each still gets a place of its own, exactly as one by one. Each loop below queues all its
 * requests in one task, before any reply can come back on it: the first is sent alone, the rest queue behind it and
 * go as one batch, so two scripts per loop, whatever the machine's speed.
 */
@QuarkusTest
class QuotaCounterTest {

    private static final int PER_LOOP = 500;

    @Inject
    RedisGateway redis;

    @Inject
    RedisDataSource data;

    @Inject
    Vertx vertx;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void unpause() {
        data.execute("CLIENT", "UNPAUSE");
    }

    @Test
    void requestsOnTwoLoopsGetEveryPlaceOnceWithTwoScriptsPerLoop() throws InterruptedException {
        QuotaCounter counter = new QuotaCounter(redis, Duration.ofSeconds(5), 60_000, registry);
        String key = Unique.name("quota-batch");
        Set<Long> places = ConcurrentHashMap.newKeySet();
        Set<Thread> answeredOn = ConcurrentHashMap.newKeySet();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(2 * PER_LOOP);
        List<Context> loops = twoEventLoops();
        for (Context loop : loops) {
            loop.runOnContext(ignored -> {
                for (int i = 0; i < PER_LOOP; i++) {
                    counter.count(key, place -> {
                        places.add(place.count());
                        answeredOn.add(Thread.currentThread());
                        assertTrue(place.msLeft() > 0 && place.msLeft() <= 60_000, "ms left " + place.msLeft());
                        done.countDown();
                    }, failure -> {
                        failures.incrementAndGet();
                        done.countDown();
                    });
                }
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), "every request answered");
        assertEquals(0, failures.get());
        assertEquals(LongStream.rangeClosed(1, 2 * PER_LOOP).boxed().collect(java.util.stream.Collectors.toSet()),
                places, "each place of the window exactly once");
        assertEquals(2, answeredOn.size(), "each request answered on its own loop");
        assertEquals(4.0, registry.counter("tally.quota.redis.calls").count(), "two scripts per loop");
        assertEquals(Integer.toString(2 * PER_LOOP), data.execute("GET", key).toString());
    }

    @Test
    void aBatchThatGetsNoAnswerFailsEveryRequestInItAndTheNextCountWorks() throws InterruptedException {
        QuotaCounter counter = new QuotaCounter(redis, Duration.ofMillis(200), 60_000, registry);
        String key = Unique.name("quota-stalled");
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(10);
        Context loop = twoEventLoops().get(0);
        data.execute("CLIENT", "PAUSE", "1500", "ALL");
        loop.runOnContext(ignored -> {
            for (int i = 0; i < 10; i++) {
                counter.count(key, place -> done.countDown(), failure -> {
                    failures.incrementAndGet();
                    done.countDown();
                });
            }
        });
        assertTrue(done.await(10, TimeUnit.SECONDS), "every request answered, with a failure (fail-open)");
        assertEquals(10, failures.get(), "the first alone and the nine behind it, each past its 200 ms");
        data.execute("CLIENT", "UNPAUSE");

        CountDownLatch after = new CountDownLatch(1);
        List<Long> place = new ArrayList<>();
        loop.runOnContext(ignored -> counter.count(key, counted -> {
            place.add(counted.count());
            after.countDown();
        }, failure -> after.countDown()));
        assertTrue(after.await(10, TimeUnit.SECONDS));
        assertEquals(1, place.size(), "counted once Redis answers again: no batch left open");
    }

    /**
     * Two event-loop contexts on different threads: Vert.x hands loops out in turn, one context per thread outside
     * Vert.x (it keeps the one it gave a thread), so each is asked for from a thread of its own.
     */
    private List<Context> twoEventLoops() {
        Context first = contextFromNewThread();
        Context second = contextFromNewThread();
        assertTrue(first.isEventLoopContext() && second.isEventLoopContext());
        assertNotEquals(threadOf(first), threadOf(second), "two different event loops");
        return List.of(first, second);
    }

    private Context contextFromNewThread() {
        Context[] context = new Context[1];
        Thread asker = Thread.ofPlatform().start(() -> context[0] = vertx.getOrCreateContext());
        try {
            asker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return context[0];
    }

    private static Thread threadOf(Context context) {
        CountDownLatch known = new CountDownLatch(1);
        Thread[] thread = new Thread[1];
        context.runOnContext(ignored -> {
            thread[0] = Thread.currentThread();
            known.countDown();
        });
        try {
            assertTrue(known.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return thread[0];
    }
}
