package dev.tally.ops;

/**
 * One edge of the wait-for graph: thread {@code waiter} waits for {@code lock}, which thread {@code owner} holds.
 *
 * @param lock the lock as the JDK's thread dump names it ({@link java.util.Objects#toIdentityString}), e.g.
 *        {@code java.util.concurrent.locks.ReentrantLock$NonfairSync@1f2a} or {@code java.lang.Object@9c3d}
 * @param kind "parked on" (a {@code java.util.concurrent} lock) or "waiting to lock" (a monitor)
 */
record LockWait(long waiter, long owner, String lock, String kind) {

    static final String LOCK = "parked on";
    static final String MONITOR = "waiting to lock";
}
