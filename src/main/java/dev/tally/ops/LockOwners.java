package dev.tally.ops;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;

/**
 * The thread that holds a {@code java.util.concurrent} lock (ReentrantLock, the write lock of a
 * ReentrantReadWriteLock...). The JDK exposes the lock a thread is parked on ({@code LockSupport.getBlocker}), but
 * its owner only through the protected {@link AbstractOwnableSynchronizer#getExclusiveOwnerThread}, reachable when
 * the JVM runs with {@code --add-opens java.base/java.util.concurrent.locks=ALL-UNNAMED} (the image, the local
 * launcher and the tests pass it; Quarkus writes the jar manifest's {@code Add-Opens} itself, from its extensions
 * only). The JDK 25 thread dump names no owner, and JMX sees platform threads only.
 */
final class LockOwners {

    static final String OPENS = "--add-opens java.base/java.util.concurrent.locks=ALL-UNNAMED";

    private final MethodHandle exclusiveOwner; // null when the package is not opened to us

    private LockOwners(MethodHandle exclusiveOwner) {
        this.exclusiveOwner = exclusiveOwner;
    }

    static LockOwners open() {
        try {
            return new LockOwners(MethodHandles.privateLookupIn(AbstractOwnableSynchronizer.class,
                    MethodHandles.lookup()).findVirtual(AbstractOwnableSynchronizer.class, "getExclusiveOwnerThread",
                            MethodType.methodType(Thread.class)));
        } catch (IllegalAccessException | NoSuchMethodException e) {
            return new LockOwners(null);
        }
    }

    boolean visible() {
        return exclusiveOwner != null;
    }

    /** The exclusive owner of {@code blocker}; null if it is no ownable lock, is held shared or by none, or unseen. */
    Thread ownerOf(Object blocker) {
        if (exclusiveOwner == null || !(blocker instanceof AbstractOwnableSynchronizer lock)) {
            return null;
        }
        try {
            return (Thread) exclusiveOwner.invokeExact(lock);
        } catch (Throwable e) {
            throw new IllegalStateException("reading a lock's owner failed", e);
        }
    }
}
