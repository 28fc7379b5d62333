package dev.tally.ops;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.inject.Singleton;

/**
 * Test-only (src/test, never in the packaged app): makes a real two-lock deadlock between two platform threads.
 * It uses ReentrantLocks taken with {@code lockInterruptibly}, so that, unlike a monitor deadlock, it can be
 * broken again by interrupting both threads, and the rest of the test JVM sees a healthy process afterwards.
 */
@Singleton
public class DeadlockMaker {

    /** A running deadlock; closing it interrupts both threads, which give their locks back and end. */
    public record Deadlock(Thread first, Thread second) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            first.interrupt();
            second.interrupt();
            first.join();
            second.join();
        }
    }

    public Deadlock create(String firstName, String secondName) throws InterruptedException {
        ReentrantLock left = new ReentrantLock();
        ReentrantLock right = new ReentrantLock();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread first = Thread.ofPlatform().name(firstName).start(() -> lockInOrder(left, right, bothHoldOne));
        Thread second = Thread.ofPlatform().name(secondName).start(() -> lockInOrder(right, left, bothHoldOne));
        bothHoldOne.await();
        return new Deadlock(first, second);
    }

    private static void lockInOrder(ReentrantLock one, ReentrantLock other, CountDownLatch bothHoldOne) {
        try {
            one.lockInterruptibly();
            try {
                bothHoldOne.countDown();
                bothHoldOne.await(); // now each holds one lock and is about to ask for the other's
                other.lockInterruptibly();
                other.unlock();
            } finally {
                one.unlock();
            }
        } catch (InterruptedException released) {
            // the test broke the deadlock
        }
    }
}
