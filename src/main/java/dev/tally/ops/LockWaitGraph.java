package dev.tally.ops;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.tally.runtime.WorkThreads;
import io.quarkus.runtime.StartupEvent;

/**
 * Deadlocks that the JVM's own finder cannot see: cycles through virtual threads. Each scan builds the wait-for
 * graph over the threads Tally runs work on ({@link WorkThreads}: requests and jobs) and every platform thread:
 * <ul>
 * <li>a thread parked on a {@code java.util.concurrent} lock waits for that lock's owner ({@link LockOwners});
 * the owner is followed even if it is no work thread, so one known thread of a cycle finds the others;</li>
 * <li>a thread BLOCKED on a monitor waits for the monitor's owner, which only the JDK's thread dump tells (from
 * Java 25 on it names the monitor each thread enters and the monitors it holds, virtual threads included). That
 * dump costs tens of milliseconds per thousand threads, so it is taken only once a thread has stayed BLOCKED for
 * a second (contention comes and goes, a deadlock stays), and while dumps find no cycle, at most every 1, 2, then
 * 4 s: long-lasting contention on a monitor costs one dump per 4 s, and a deadlock is still found within 10 s.</li>
 * </ul>
 * The threads are read one after the other, not at one instant, so a cycle counts only once the same edges have
 * stood for a second; lock contention never forms a cycle, and a deadlock never changes.
 */
@Singleton
public class LockWaitGraph {

    private static final Logger LOG = Logger.getLogger(LockWaitGraph.class);
    private static final long STEADY_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long MAX_DUMP_GAP_NANOS = Duration.ofSeconds(4).toNanos();

    private final Instance<WorkThreads> workThreads;
    private final ThreadDump dump;
    private final LockOwners owners = LockOwners.open();
    private final boolean monitorsVisible = Runtime.version().feature() >= 25;
    private final Map<Long, Long> blockedSince = new HashMap<>();
    private final Map<Set<LockWait>, Long> cycleSince = new HashMap<>();
    private final AtomicLong monitorViews = new AtomicLong();
    private long dumpGapNanos; // after a dump that found no cycle, the next waits this long
    private long nextDumpNanos = System.nanoTime();

    public LockWaitGraph(@Any Instance<WorkThreads> workThreads, ThreadDump dump) {
        this.workThreads = workThreads;
        this.dump = dump;
    }

    void announce(@Observes StartupEvent started) {
        if (!owners.visible()) {
            LOG.warnf("Deadlocks of virtual threads on java.util.concurrent locks are NOT detected: the JVM runs "
                    + "without %s (the image and deploy/local/up pass it; a custom launcher must too)",
                    LockOwners.OPENS);
        }
        if (!monitorsVisible) {
            LOG.warnf("Deadlocks of virtual threads on monitors (synchronized) are NOT detected: Java %d's thread "
                    + "dump does not show monitor waits (Java 25 and later do)", Runtime.version().feature());
        }
    }

    /** How many scans needed the JDK's thread dump to see monitor waits (a cost to watch, and a test's proof). */
    public long monitorViews() {
        return monitorViews.get();
    }

    /** Scans now; returns the cycles whose edges have stood unchanged for a second (empty when there are none). */
    public synchronized List<List<LockWait>> scan() {
        long now = System.nanoTime();
        Map<Long, LockWait> waits = new HashMap<>();
        Set<Long> blocked = lockWaits(waits);
        blockedSince.keySet().retainAll(blocked);
        blocked.forEach(id -> blockedSince.putIfAbsent(id, now));
        boolean dumped = monitorsVisible && now - nextDumpNanos >= 0
                && blockedSince.values().stream().anyMatch(since -> now - since >= STEADY_NANOS);
        if (dumped) {
            monitorWaits(waits);
        }
        List<List<LockWait>> cycles = WaitCycles.of(waits);
        if (dumped) {
            dumpGapNanos = cycles.isEmpty()
                    ? Math.min(Math.max(2 * dumpGapNanos, STEADY_NANOS), MAX_DUMP_GAP_NANOS) : 0;
            nextDumpNanos = now + dumpGapNanos;
        }
        Map<Set<LockWait>, List<LockWait>> byEdges = cycles.stream()
                .collect(Collectors.toMap(Set::copyOf, cycle -> cycle, (a, b) -> a));
        cycleSince.keySet().retainAll(byEdges.keySet());
        byEdges.keySet().forEach(edges -> cycleSince.putIfAbsent(edges, now));
        return byEdges.entrySet().stream().filter(cycle -> now - cycleSince.get(cycle.getKey()) >= STEADY_NANOS)
                .map(Map.Entry::getValue).toList();
    }

    /** Adds an edge for each thread parked on an owned lock; returns the threads BLOCKED on a monitor. */
    private Set<Long> lockWaits(Map<Long, LockWait> waits) {
        Set<Long> blocked = new HashSet<>();
        Set<Long> seen = new HashSet<>();
        Deque<Thread> todo = new ArrayDeque<>(platformThreads());
        workThreads.forEach(source -> todo.addAll(source.threads()));
        while (!todo.isEmpty()) {
            Thread thread = todo.pop();
            if (!seen.add(thread.threadId()) || thread == Thread.currentThread()) {
                continue;
            }
            switch (thread.getState()) {
                case BLOCKED -> blocked.add(thread.threadId());
                case WAITING, TIMED_WAITING -> {
                    Object blocker = LockSupport.getBlocker(thread);
                    Thread owner = owners.ownerOf(blocker);
                    if (owner != null && owner != thread) {
                        waits.put(thread.threadId(), new LockWait(thread.threadId(), owner.threadId(),
                                Objects.toIdentityString(blocker), LockWait.LOCK));
                        todo.push(owner);
                    }
                }
                default -> {
                    // running, new or ended: waits for nothing
                }
            }
        }
        return blocked;
    }

    /** Adds an edge for each thread, of any kind, that the JDK's dump shows entering a monitor another one holds. */
    private void monitorWaits(Map<Long, LockWait> waits) {
        monitorViews.incrementAndGet();
        List<ThreadSnapshot> threads = dump.jdkThreads();
        Map<String, Long> ownerOfMonitor = new HashMap<>();
        threads.forEach(t -> t.monitors().forEach(held -> ownerOfMonitor.put(held.lock(), t.id())));
        for (ThreadSnapshot thread : threads) {
            Long owner = LockWait.MONITOR.equals(thread.waitKind()) ? ownerOfMonitor.get(thread.waitingOn()) : null;
            if (owner != null && owner != thread.id()) {
                waits.putIfAbsent(thread.id(), new LockWait(thread.id(), owner, thread.waitingOn(), LockWait.MONITOR));
            }
        }
    }

    private static List<Thread> platformThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int count;
        while ((count = root.enumerate(threads, true)) == threads.length) {
            threads = new Thread[threads.length * 2];
        }
        return new ArrayList<>(Arrays.asList(threads).subList(0, count));
    }
}
