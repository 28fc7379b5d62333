package dev.tally.ops;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/** Threads of {@link DeadlockMaker#contend} taking turns on one lock, or on one monitor, until closed. */
public record Contention(ReentrantLock lock, Object monitor, AtomicLong turns, AtomicBoolean running,
        List<Thread> threads, Set<Thread> work) implements AutoCloseable {

    void run(boolean onMonitor, long holdMs) {
        try {
            while (running.get()) {
                if (onMonitor) {
                    synchronized (monitor) {
                        Thread.sleep(holdMs);
                    }
                } else {
                    lock.lock();
                    try {
                        Thread.sleep(holdMs);
                    } finally {
                        lock.unlock();
                    }
                }
                turns.incrementAndGet();
            }
        } catch (InterruptedException stopped) {
            // closed
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join();
            work.remove(thread);
        }
    }
}
