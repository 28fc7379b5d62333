package dev.tally.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.AbstractUni;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * {@code uni.ifNoItem().after(budget).failWith(failure)}, served by the request's {@link TimeoutSlots} rather than
 * a timer per call: past the budget the work is cancelled and the caller gets {@code failure}, on the request's
 * Vert.x context as a timer would have delivered it. Outside a request (no slots), or with every slot taken, it
 * is exactly that Mutiny timer.
 */
public final class Timeout {

    private Timeout() {
    }

    public static <T> Uni<T> within(Uni<T> work, Duration budget, Supplier<? extends Throwable> failure) {
        return new Bounded<>(work, budget, failure);
    }

    private static final class Bounded<T> extends AbstractUni<T> {

        private final Uni<T> work;
        private final Duration budget;
        private final Supplier<? extends Throwable> failure;

        Bounded(Uni<T> work, Duration budget, Supplier<? extends Throwable> failure) {
            this.work = work;
            this.budget = budget;
            this.failure = failure;
        }

        @Override
        public void subscribe(UniSubscriber<? super T> downstream) {
            TimeoutSlots slots = TimeoutSlots.current();
            Watch<T> watch = slots == null ? null
                    : new Watch<>(downstream, slots, failure, System.nanoTime() + budget.toNanos(), Vertx.currentContext());
            if (watch == null || !watch.arm()) {
                AbstractUni.subscribe(work.ifNoItem().after(budget).failWith(failure), downstream);
                return;
            }
            downstream.onSubscribe(watch);
            AbstractUni.subscribe(work, watch);
        }
    }

    /** Between the work and its caller: passes the first outcome on, or the failure when the time is up. */
    private static final class Watch<T> extends TimeoutSlots.Expiring implements UniSubscriber<T>, UniSubscription {

        private static final VarHandle DONE;
        private static final VarHandle UPSTREAM;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                DONE = lookup.findVarHandle(Watch.class, "done", boolean.class);
                UPSTREAM = lookup.findVarHandle(Watch.class, "upstream", UniSubscription.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final UniSubscriber<? super T> downstream;
        private final TimeoutSlots slots;
        private final Supplier<? extends Throwable> failure;
        private final Context context;
        private int slot;
        @SuppressWarnings("unused") // through DONE
        private volatile boolean done;
        @SuppressWarnings("unused") // through UPSTREAM
        private volatile UniSubscription upstream;

        Watch(UniSubscriber<? super T> downstream, TimeoutSlots slots, Supplier<? extends Throwable> failure,
                long deadlineNanos, Context context) {
            super(deadlineNanos);
            this.downstream = downstream;
            this.slots = slots;
            this.failure = failure;
            this.context = context;
        }

        boolean arm() {
            slot = slots.arm(this);
            return slot >= 0;
        }

        /** True for the first of item, failure, cancellation and expiry; the others are then ignored. */
        private boolean finish() {
            return DONE.compareAndSet(this, false, true);
        }

        @Override
        public void onSubscribe(UniSubscription subscription) {
            if (!UPSTREAM.compareAndSet(this, (UniSubscription) null, subscription) || (boolean) DONE.getVolatile(this)) {
                subscription.cancel(); // already over (cancelled or expired before the work subscribed)
            }
        }

        @Override
        public void onItem(T item) {
            if (finish()) {
                slots.disarm(slot, this);
                downstream.onItem(item);
            }
        }

        @Override
        public void onFailure(Throwable error) {
            if (finish()) {
                slots.disarm(slot, this);
                downstream.onFailure(error);
            }
        }

        @Override
        public void cancel() {
            if (finish()) {
                slots.disarm(slot, this);
                cancelWork();
            }
        }

        @Override
        protected void expire() {
            if (!finish()) {
                return;
            }
            // On the request's context, where a timer would have fired: cancelling and failing touch its state.
            if (context == null) {
                timeUp();
            } else {
                context.runOnContext(ignored -> timeUp());
            }
        }

        private void timeUp() {
            cancelWork();
            downstream.onFailure(failure.get());
        }

        private void cancelWork() {
            UniSubscription work = (UniSubscription) UPSTREAM.getAndSet(this, CANCELLED);
            if (work != null && work != CANCELLED) {
                work.cancel();
            }
        }

        private static final UniSubscription CANCELLED = () -> {
        };
    }
}
