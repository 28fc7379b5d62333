package dev.tally.ops;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * Finds deadlocked threads, platform and virtual: the JVM's finder ({@code findDeadlockedThreads}: monitors and
 * ownable synchronizers of platform threads) plus {@link LockWaitGraph} for the cycles through virtual threads,
 * which the JVM's finder cannot see. Scans every second so that the stacks are logged once, when a deadlock
 * appears, even if nobody probes liveness; the liveness check, the gauge and the thread dump read the same scan.
 */
@Singleton
public class DeadlockWatch {

    private static final Logger LOG = Logger.getLogger(DeadlockWatch.class);
    private static final Duration PERIOD = Duration.ofSeconds(1);

    private final ThreadMXBean jmx = ManagementFactory.getThreadMXBean();
    private final LockWaitGraph graph;
    private final ThreadDump dump;
    private volatile List<ThreadSnapshot> deadlocked = List.of();
    private Set<Long> reported = Set.of();

    public DeadlockWatch(MeterRegistry metrics, LockWaitGraph graph, ThreadDump dump) {
        this.graph = graph;
        this.dump = dump;
        Gauge.builder("tally.threads.deadlocked", this, watch -> watch.deadlocked.size())
                .description("Threads deadlocked on monitors or locks, virtual threads included (liveness is DOWN "
                        + "while > 0)")
                .register(metrics);
    }

    void start(@Observes StartupEvent started, OpsClock clock) {
        clock.every(PERIOD, "deadlock scan", this::scan);
    }

    /** Scans now; returns the deadlocked threads (empty when there are none) and logs any new deadlock once. */
    public synchronized List<ThreadSnapshot> scan() {
        long[] platform = jmx.findDeadlockedThreads();
        List<List<LockWait>> cycles = graph.scan();
        Set<Long> ids = new LinkedHashSet<>();
        cycles.forEach(cycle -> cycle.forEach(wait -> ids.add(wait.waiter())));
        if (platform != null) {
            Arrays.stream(platform).forEach(ids::add);
        }
        if (ids.isEmpty()) {
            reported = Set.of();
            deadlocked = List.of();
            dump.deadlocked(deadlocked);
            return deadlocked;
        }
        if (ids.equals(reported)) {
            return deadlocked; // the same deadlock as in the last scan: logged already, and its threads never move
        }
        List<ThreadSnapshot> threads = cycles.isEmpty() ? platformSnapshots(platform) : snapshots(ids, cycles);
        LOG.errorf("Deadlock: %d threads (%s) wait for each other forever; liveness is DOWN so that the "
                + "orchestrator restarts this process. Their stacks:%n%s", threads.size(), names(threads),
                ThreadDumpText.render(threads));
        reported = ids;
        deadlocked = threads;
        dump.deadlocked(threads);
        return threads;
    }

    /** Only platform threads: the JMX view, which knows the ownable synchronizers each one holds. */
    private List<ThreadSnapshot> platformSnapshots(long[] ids) {
        return Arrays.stream(jmx.getThreadInfo(ids, true, true, Integer.MAX_VALUE))
                .filter(Objects::nonNull) // a thread may have ended between the two calls
                .map(info -> ThreadInfos.snapshot(info, null).inDeadlock(null, List.of())).toList();
    }

    /**
     * Virtual threads among them: the JDK's dump (the only one that shows virtual threads), completed with what the
     * cycles know and the dump does not: who owns the lock each one waits for, which of the cycle's locks it holds.
     */
    private List<ThreadSnapshot> snapshots(Set<Long> ids, List<List<LockWait>> cycles) {
        Map<Long, LockWait> waitOf = new HashMap<>();
        Map<Long, List<String>> heldLocks = new HashMap<>(); // the dump shows held monitors, not held locks
        cycles.forEach(cycle -> cycle.forEach(wait -> {
            waitOf.put(wait.waiter(), wait);
            if (!wait.kind().equals(LockWait.MONITOR)) {
                heldLocks.computeIfAbsent(wait.owner(), owner -> new ArrayList<>()).add(wait.lock());
            }
        }));
        Map<Long, ThreadSnapshot> byId = new HashMap<>();
        dump.capture().threads().forEach(thread -> byId.put(thread.id(), thread));
        List<ThreadSnapshot> threads = new ArrayList<>();
        for (long id : ids) {
            ThreadSnapshot thread = byId.get(id);
            if (thread != null) {
                LockWait wait = waitOf.get(id);
                ThreadSnapshot owner = wait == null ? null : byId.get(wait.owner());
                threads.add(thread.inDeadlock(owner == null ? null : "\"" + owner.name() + "\" #" + owner.id(),
                        heldLocks.getOrDefault(id, List.of())));
            }
        }
        return threads;
    }

    /** The deadlocked threads of the last scan (empty when none), without scanning again: for the console. */
    public List<ThreadSnapshot> current() {
        return deadlocked;
    }

    static String names(List<ThreadSnapshot> threads) {
        return threads.stream().map(t -> "\"" + t.name() + "\" #" + t.id()).collect(Collectors.joining(", "));
    }
}
