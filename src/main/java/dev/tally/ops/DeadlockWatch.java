package dev.tally.ops;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * Finds threads deadlocked on monitors or ownable synchronizers (ReentrantLock, ReadWriteLock...). Scans every
 * second so that the stacks are logged once, when a deadlock appears, even if nobody probes liveness; the
 * liveness check and the gauge read the same scan. A deadlock between virtual threads on ownable synchronizers
 * is invisible to the JVM's detector (it only sees platform threads); the stuck-request watchdog reports the
 * requests they hang instead.
 */
@ApplicationScoped
public class DeadlockWatch {

    private static final Logger LOG = Logger.getLogger(DeadlockWatch.class);
    private static final Duration PERIOD = Duration.ofSeconds(1);

    private final ThreadMXBean jmx = ManagementFactory.getThreadMXBean();
    private volatile List<ThreadSnapshot> deadlocked = List.of();
    private final Set<Set<Long>> reported = new HashSet<>();

    public DeadlockWatch(MeterRegistry metrics) {
        Gauge.builder("tally.threads.deadlocked", this, watch -> watch.deadlocked.size())
                .description("Threads deadlocked on monitors or ownable synchronizers (liveness is DOWN while > 0)")
                .register(metrics);
    }

    void start(@Observes StartupEvent started, OpsClock clock) {
        clock.every(PERIOD, "deadlock scan", this::scan);
    }

    /** Scans now; returns the deadlocked threads (empty when there are none) and logs any new deadlock once. */
    public synchronized List<ThreadSnapshot> scan() {
        long[] ids = jmx.findDeadlockedThreads();
        if (ids == null) {
            deadlocked = List.of();
            reported.clear();
            return deadlocked;
        }
        List<ThreadSnapshot> threads = Arrays.stream(jmx.getThreadInfo(ids, true, true, Integer.MAX_VALUE))
                .filter(Objects::nonNull) // a thread may have ended between the two calls
                .map(info -> ThreadInfos.snapshot(info, null)).toList();
        Set<Long> cycle = Arrays.stream(ids).boxed().collect(Collectors.toUnmodifiableSet());
        reported.retainAll(Set.of(cycle));
        if (reported.add(cycle)) {
            LOG.errorf("Deadlock: %d threads (%s) wait for each other forever; liveness is DOWN so that the "
                    + "orchestrator restarts this process. Their stacks:%n%s", threads.size(), names(threads),
                    ThreadDumpText.render(threads));
        }
        deadlocked = threads;
        return threads;
    }

    static String names(List<ThreadSnapshot> threads) {
        return threads.stream().map(t -> "\"" + t.name() + "\" #" + t.id()).collect(Collectors.joining(", "));
    }
}
