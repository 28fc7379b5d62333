package dev.tally.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Timeouts served by a request's slots, on a real Vert.x duplicated context, with the sweep driven by the test:
 * past the budget the work is cancelled and the failure arrives on the request's context; an answer in time frees
 * the slot; a cancelled caller cancels the work; outside a request it is Mutiny's own timer.
 */
class TimeoutTest {

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** Runs {@code body} on a fresh duplicated context (what a request runs on) and returns its slots. */
    private static TimeoutSlots onRequestContext(Context context, java.util.function.Consumer<TimeoutSlots> body)
            throws Exception {
        CompletableFuture<TimeoutSlots> done = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            TimeoutSlots slots = TimeoutSlots.startForCurrentRequest();
            body.accept(slots);
            done.complete(slots);
        });
        return done.get(5, TimeUnit.SECONDS);
    }

    @Test
    void pastTheBudgetTheWorkIsCancelledAndTheFailureArrivesOnTheRequestsContext() throws Exception {
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        AtomicBoolean workCancelled = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Context> failedOn = new AtomicReference<>();
        CountDownLatch failed = new CountDownLatch(1);
        TimeoutSlots slots = onRequestContext(context, s -> Timeout.within(
                Uni.createFrom().<String>nothing().onCancellation().invoke(() -> workCancelled.set(true)),
                Duration.ofMillis(50), () -> new IllegalStateException("time is up"))
                .subscribe().with(item -> { }, error -> {
                    failure.set(error);
                    failedOn.set(Vertx.currentContext());
                    failed.countDown();
                }));

        slots.fireDue(System.nanoTime()); // before the budget: nothing happens
        assertFalse(failed.await(100, TimeUnit.MILLISECONDS), "no sweep after the budget, no failure");
        slots.fireDue(System.nanoTime());
        assertTrue(failed.await(5, TimeUnit.SECONDS));
        assertEquals("time is up", failure.get().getMessage());
        assertEquals(context, failedOn.get());
        assertTrue(workCancelled.get(), "the work was cancelled");
    }

    @Test
    void anAnswerInTimeFreesItsSlotAndACancelledCallerCancelsTheWork() throws Exception {
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        AtomicReference<String> item = new AtomicReference<>();
        AtomicBoolean workCancelled = new AtomicBoolean();
        AtomicBoolean failedAnyway = new AtomicBoolean();
        TimeoutSlots slots = onRequestContext(context, s -> {
            for (int i = 0; i < 10; i++) { // more answers than slots: each frees its slot when it answers
                Timeout.within(Uni.createFrom().item("answer " + i), Duration.ofMillis(1), IllegalStateException::new)
                        .subscribe().with(item::set, error -> failedAnyway.set(true));
            }
            Timeout.within(Uni.createFrom().<String>nothing().onCancellation().invoke(() -> workCancelled.set(true)),
                    Duration.ofMillis(1), IllegalStateException::new)
                    .subscribe().with(ignored -> { }, error -> failedAnyway.set(true)).cancel();
        });
        for (int i = 0; i < 4; i++) { // every answered or cancelled call gave its slot back
            assertTrue(slots.arm(new TimeoutSlots.Expiring(0) {
                @Override
                protected void expire() {
                }
            }) >= 0, "slot " + i + " was freed");
        }
        slots.fireDue(System.nanoTime() + Duration.ofSeconds(10).toNanos());
        Thread.sleep(100); // a wrongly armed timeout would now fail on the context
        assertEquals("answer 9", item.get());
        assertTrue(workCancelled.get(), "cancelling the caller cancelled the work");
        assertFalse(failedAnyway.get(), "nothing answered in time or cancelled failed later");
    }

    @Test
    void outsideARequestItIsMutinysOwnTimer() {
        long started = System.nanoTime();
        String outcome = Timeout.within(Uni.createFrom().<String>nothing(), Duration.ofMillis(100),
                () -> new IllegalStateException("timer")).onFailure().recoverWithItem(Throwable::getMessage)
                .await().atMost(Duration.ofSeconds(5));
        assertEquals("timer", outcome);
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(100).toNanos(), "it waited for the budget");
    }
}
