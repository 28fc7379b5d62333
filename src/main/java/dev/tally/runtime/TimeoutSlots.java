package dev.tally.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The pending timeouts of one request (its deadline, the budget of the Redis call it waits for): a few slots that
 * one periodic sweep of the in-flight registry checks ({@code web/InFlightRequests}), instead of one timer per
 * timeout. A timer cost a scheduled task, a priority-queue insert and removal and a close hook per call, the
 * largest per-request cost the profile showed (bench/profile.sh, docs/tuning.md); a slot costs a compare-and-set.
 *
 * <p>The slots ride in the request's Vert.x (duplicated) context, where {@link Timeout} finds them. A timeout fires
 * within one sweep interval after its time. Thread-safe: armed and disarmed on the request's threads, swept on the
 * sweeper's.
 */
public final class TimeoutSlots {

    /** What a slot holds: something that expires at a fixed time, once. */
    public abstract static class Expiring {

        final long deadlineNanos;

        protected Expiring(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        /** Its time has come; runs on the sweeper's thread (or a hand-off timer's), once. */
        protected abstract void expire();
    }

    private static final RequestLocal<TimeoutSlots> CURRENT = new RequestLocal<>(TimeoutSlots.class);
    private static final int SLOTS = 4;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Expiring[].class);

    private final Expiring[] slots = new Expiring[SLOTS];

    private TimeoutSlots() {
    }

    /** Fresh slots for the request whose context the caller runs in (detached ones outside any request). */
    public static TimeoutSlots startForCurrentRequest() {
        TimeoutSlots slots = new TimeoutSlots();
        CURRENT.bind(slots);
        return slots;
    }

    /** The slots of the request the caller runs for, or null (not in a request: jobs, live feeds, start-up). */
    static TimeoutSlots current() {
        return CURRENT.current();
    }

    /** Arms {@code timeout}; the slot's index, or -1 when every slot is taken. */
    int arm(Expiring timeout) {
        for (int i = 0; i < SLOTS; i++) {
            if (SLOT.getAcquire(slots, i) == null && SLOT.compareAndSet(slots, i, (Expiring) null, timeout)) {
                return i;
            }
        }
        return -1;
    }

    /** Takes {@code timeout} out of {@code slot}; false when it was gone already (it fired, or is firing). */
    boolean disarm(int slot, Expiring timeout) {
        return SLOT.compareAndSet(slots, slot, timeout, (Expiring) null);
    }

    /** Expires, on the calling thread, every timeout whose time has come (the sweep). */
    public void fireDue(long nowNanos) {
        for (int i = 0; i < SLOTS; i++) {
            Expiring timeout = (Expiring) SLOT.getAcquire(slots, i);
            if (timeout != null && nowNanos - timeout.deadlineNanos >= 0
                    && SLOT.compareAndSet(slots, i, timeout, (Expiring) null)) {
                timeout.expire();
            }
        }
    }

    /**
     * The request left the registry (it ended, or became a socket) with timeouts still armed, such as a Redis
     * write it started and did not wait for: no sweep sees them any more, so each moves to {@code timers} for the
     * time it has left. Rare, so a timer each is fine here.
     */
    public void handOff(ScheduledExecutorService timers, long nowNanos) {
        for (int i = 0; i < SLOTS; i++) {
            Expiring timeout = (Expiring) SLOT.getAcquire(slots, i);
            if (timeout != null && SLOT.compareAndSet(slots, i, timeout, (Expiring) null)) {
                timers.schedule(timeout::expire, Math.max(0, timeout.deadlineNanos - nowNanos), TimeUnit.NANOSECONDS);
            }
        }
    }
}
