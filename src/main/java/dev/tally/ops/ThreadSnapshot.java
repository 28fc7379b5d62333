package dev.tally.ops;

import java.util.List;

/**
 * One thread as a thread dump shows it, whatever it came from (the JDK's own dump, which includes virtual
 * threads, or a {@link java.lang.management.ThreadInfo}, which knows platform threads' ownable synchronizers).
 *
 * @param waitKind what the thread waits for: "waiting to lock" (monitor enter), "waiting on" (Object.wait),
 *        "parked on" (LockSupport.park: locks, latches, queues), or null when it does not wait
 * @param waitingOn the object it waits for, e.g. {@code java.util.concurrent.locks.ReentrantLock$NonfairSync@1f2a}
 * @param lockOwner the thread that holds {@code waitingOn}, when known
 * @param monitors monitors held, each at the stack depth (index into {@code stack}) of the frame that took it
 * @param synchronizers ownable synchronizers held (ReentrantLock and friends); known for platform threads, and
 *        for a deadlocked virtual thread the locks of its cycle
 * @param deadlocked in a deadlock that {@link DeadlockWatch} found
 */
public record ThreadSnapshot(long id, String name, boolean virtual, String state, String container, String carrier,
        String waitKind, String waitingOn, String lockOwner, List<String> stack, List<HeldMonitor> monitors,
        List<String> synchronizers, boolean deadlocked) {

    /** A monitor ({@code synchronized}) held by the frame at {@code depth}. */
    public record HeldMonitor(int depth, String lock) {
    }

    ThreadSnapshot withLocksFrom(ThreadSnapshot platform) {
        return new ThreadSnapshot(id, name, virtual, state, container, carrier, waitKind, waitingOn,
                lockOwner != null ? lockOwner : platform.lockOwner(), stack,
                monitors.isEmpty() ? platform.monitors() : monitors, platform.synchronizers(), deadlocked);
    }

    /** This thread as one of a deadlock: marked, and with the owner and held locks the cycle shows where unknown. */
    ThreadSnapshot inDeadlock(String owner, List<String> held) {
        return new ThreadSnapshot(id, name, virtual, state, container, carrier, waitKind, waitingOn,
                lockOwner != null ? lockOwner : owner, stack, monitors, synchronizers.isEmpty() ? held : synchronizers,
                true);
    }
}
