package dev.tally.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import jakarta.inject.Singleton;

import dev.tally.runtime.WorkThreads;

/**
 * Test-only (src/test, never in the packaged app): makes real deadlocks between two threads. Its virtual threads
 * are work threads (it is a {@link WorkThreads} source, as the request registry and the job worker are), so the
 * detector watches them as it watches a request's or a job's. Every deadlock but the one on two monitors waits
 * with {@code lockInterruptibly} somewhere in its cycle, so the test breaks it again by interrupting, and the rest
 * of the test JVM sees a healthy process; a monitor deadlock can never be undone (see
 * {@code VirtualMonitorDeadlockTest}, which runs in a JVM of its own).
 */
@Singleton
public class DeadlockMaker implements WorkThreads {

    private final Set<Thread> work = ConcurrentHashMap.newKeySet();

    /** A running deadlock; closing it interrupts both threads, which give their locks back and end. */
    public record Deadlock(Thread first, Thread second, Set<Thread> work) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            first.interrupt();
            second.interrupt();
            first.join();
            second.join();
            work.remove(first);
            work.remove(second);
        }
    }

    @Override
    public List<Thread> threads() {
        return List.copyOf(work);
    }

    /** Two platform threads, two ReentrantLocks taken in opposite orders. */
    public Deadlock platformOnLocks(String firstName, String secondName) throws InterruptedException {
        return onTwoReentrantLocks(Thread.ofPlatform(), firstName, secondName);
    }

    /** Two virtual threads, two ReentrantLocks taken in opposite orders. */
    public Deadlock virtualOnLocks(String firstName, String secondName) throws InterruptedException {
        return onTwoReentrantLocks(Thread.ofVirtual(), firstName, secondName);
    }

    /** Two virtual threads: one holds a ReentrantReadWriteLock's write lock, the other wants its read lock. */
    public Deadlock virtualOnReadWriteLock(String firstName, String secondName) throws InterruptedException {
        ReentrantReadWriteLock readWrite = new ReentrantReadWriteLock();
        ReentrantLock plain = new ReentrantLock();
        return onTwoLocks(Thread.ofVirtual(), firstName, secondName, readWrite.writeLock(), plain, plain,
                readWrite.readLock());
    }

    /**
     * A virtual thread holds a monitor and waits for a ReentrantLock that a platform thread holds, which waits to
     * enter the monitor. Interrupting the virtual thread ends its lock wait, so it leaves the monitor and the
     * platform thread gets through.
     */
    public Deadlock virtualAndPlatform(String virtualName, String platformName) throws InterruptedException {
        Object monitor = new Object();
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread virtual = start(Thread.ofVirtual(), virtualName, () -> {
            synchronized (monitor) {
                try {
                    holdOneAwaitOther(bothHoldOne);
                    lock.lockInterruptibly();
                    lock.unlock();
                } catch (InterruptedException released) {
                    // the test broke the deadlock
                }
            }
        });
        Thread platform = Thread.ofPlatform().name(platformName).start(() -> {
            lock.lock();
            try {
                holdOneAwaitOther(bothHoldOne);
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            } catch (InterruptedException released) {
                // only ever interrupted by close(), after the monitor came free
            } finally {
                lock.unlock();
            }
        });
        bothHoldOne.await();
        return new Deadlock(virtual, platform, work);
    }

    /** Two virtual threads, two monitors entered in opposite orders: never undone, the threads stay for good. */
    public Deadlock virtualOnMonitors(String firstName, String secondName) throws InterruptedException {
        Object left = new Object();
        Object right = new Object();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread first = start(Thread.ofVirtual(), firstName, () -> enterInOrder(left, right, bothHoldOne));
        Thread second = start(Thread.ofVirtual(), secondName, () -> enterInOrder(right, left, bothHoldOne));
        bothHoldOne.await();
        return new Deadlock(first, second, work);
    }

    /**
     * The control: {@code count} virtual work threads contend, half of them for one ReentrantLock, half for one
     * monitor, each holding it for {@code holdMs}: long waits, many waiters, no cycle. Closing it stops them.
     */
    public Contention contend(String prefix, int count, long holdMs) {
        Contention contention = new Contention(new ReentrantLock(), new Object(), new AtomicLong(),
                new AtomicBoolean(true), new ArrayList<>(), work);
        for (int i = 0; i < count; i++) {
            boolean onMonitor = i % 2 == 1;
            contention.threads().add(start(Thread.ofVirtual(), prefix + i, () -> contention.run(onMonitor, holdMs)));
        }
        return contention;
    }

    private Deadlock onTwoReentrantLocks(Thread.Builder kind, String firstName, String secondName)
            throws InterruptedException {
        ReentrantLock left = new ReentrantLock();
        ReentrantLock right = new ReentrantLock();
        return onTwoLocks(kind, firstName, secondName, left, right, right, left);
    }

    /** The first thread takes {@code firstTakes}, then wants {@code firstWants}; the second likewise. */
    private Deadlock onTwoLocks(Thread.Builder kind, String firstName, String secondName, Lock firstTakes,
            Lock firstWants, Lock secondTakes, Lock secondWants) throws InterruptedException {
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread first = start(kind, firstName, () -> lockInOrder(firstTakes, firstWants, bothHoldOne));
        Thread second = start(kind, secondName, () -> lockInOrder(secondTakes, secondWants, bothHoldOne));
        bothHoldOne.await();
        return new Deadlock(first, second, work);
    }

    private Thread start(Thread.Builder kind, String name, Runnable task) {
        Thread thread = kind.name(name).unstarted(task);
        work.add(thread);
        thread.start();
        return thread;
    }

    private static void lockInOrder(Lock one, Lock other, CountDownLatch bothHoldOne) {
        try {
            one.lockInterruptibly();
            try {
                holdOneAwaitOther(bothHoldOne);
                other.lockInterruptibly();
                other.unlock();
            } finally {
                one.unlock();
            }
        } catch (InterruptedException released) {
            // the test broke the deadlock
        }
    }

    private static void enterInOrder(Object one, Object other, CountDownLatch bothHoldOne) {
        synchronized (one) {
            try {
                holdOneAwaitOther(bothHoldOne);
            } catch (InterruptedException ignored) {
                // not interrupted before the cycle closes: nothing can break it afterwards
            }
            synchronized (other) {
                other.notifyAll();
            }
        }
    }

    /** Now each thread holds one lock and is about to ask for the other's. */
    private static void holdOneAwaitOther(CountDownLatch bothHoldOne) throws InterruptedException {
        bothHoldOne.countDown();
        bothHoldOne.await();
    }
}
