package dev.tally.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat;

/**
 * Every thread of this JVM, virtual threads included. The JDK's own dump
 * ({@link HotSpotDiagnosticMXBean#dumpThreads}, the supported API behind {@code jcmd Thread.dump_to_file}) is the
 * only supported way to see virtual threads; it shows states, stacks, monitors held and what each thread waits
 * for. JMX adds what it lacks for platform threads: the ownable synchronizers (ReentrantLock...) they hold and
 * the owner of the lock they wait for.
 */
@Singleton
public class ThreadDump {

    /** A whole dump: when, and every thread. */
    public record Dump(Instant time, String runtime, List<ThreadSnapshot> threads) {
        public long virtualCount() {
            return threads.stream().filter(ThreadSnapshot::virtual).count();
        }
    }

    private final ObjectMapper json;
    private final HotSpotDiagnosticMXBean diagnostics = ManagementFactory.getPlatformMXBean(
            HotSpotDiagnosticMXBean.class);
    private final ThreadMXBean jmx = ManagementFactory.getThreadMXBean();
    private volatile Map<Long, ThreadSnapshot> deadlocked = Map.of();

    public ThreadDump(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Takes a dump; blocks for file I/O, so never call it on the event loop. The threads of a deadlock that
     * {@link DeadlockWatch} reported are shown as it saw them: marked, with the owners and locks of their cycle.
     */
    public Dump capture() {
        Map<Long, ThreadSnapshot> platform = new HashMap<>();
        for (ThreadInfo info : jmx.dumpAllThreads(jmx.isObjectMonitorUsageSupported(),
                jmx.isSynchronizerUsageSupported())) {
            platform.put(info.getThreadId(), ThreadInfos.snapshot(info, null));
        }
        JsonNode dump = jdkDump().path("threadDump");
        Map<Long, ThreadSnapshot> inDeadlock = deadlocked;
        List<ThreadSnapshot> threads = new ArrayList<>();
        for (ThreadSnapshot snapshot : fromJdk(dump)) {
            ThreadSnapshot jmxView = snapshot.virtual() ? null : platform.get(snapshot.id());
            ThreadSnapshot merged = jmxView == null ? snapshot : snapshot.withLocksFrom(jmxView);
            ThreadSnapshot reported = inDeadlock.get(merged.id());
            threads.add(reported == null ? merged
                    : merged.inDeadlock(reported.lockOwner(), reported.synchronizers()));
        }
        return new Dump(Instant.now(), dump.path("runtimeVersion").asText(), threads);
    }

    /**
     * Every thread as the JDK's own dump shows it, without the JMX additions: cheaper than {@link #capture}
     * (no walk of the heap for ownable synchronizers), and what the deadlock detector reads monitor waits from.
     */
    public List<ThreadSnapshot> jdkThreads() {
        return fromJdk(jdkDump().path("threadDump"));
    }

    /** The threads of the deadlocks found now (empty when none), as the detector saw them, to mark in dumps. */
    void deadlocked(List<ThreadSnapshot> threads) {
        Map<Long, ThreadSnapshot> byId = new HashMap<>();
        threads.forEach(thread -> byId.put(thread.id(), thread));
        deadlocked = Map.copyOf(byId);
    }

    private static List<ThreadSnapshot> fromJdk(JsonNode dump) {
        List<ThreadSnapshot> threads = new ArrayList<>();
        for (JsonNode container : dump.path("threadContainers")) {
            for (JsonNode thread : container.path("threads")) {
                threads.add(fromJdk(thread, container.path("container").asText()));
            }
        }
        return threads;
    }

    private JsonNode jdkDump() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tally-threads");
            Path file = dir.resolve("dump.json"); // the JDK refuses to overwrite: a fresh name in a fresh dir
            diagnostics.dumpThreads(file.toString(), ThreadDumpFormat.JSON);
            return json.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("thread dump failed", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static ThreadSnapshot fromJdk(JsonNode thread, String container) {
        String waitKind = null;
        String waitingOn = null;
        String owner = null;
        if (thread.hasNonNull("blockedOn")) {
            waitKind = "waiting to lock";
            waitingOn = thread.get("blockedOn").asText();
        } else if (thread.hasNonNull("waitingOn")) {
            waitKind = "waiting on";
            waitingOn = thread.get("waitingOn").asText();
        } else if (thread.has("parkBlocker")) {
            waitKind = "parked on";
            waitingOn = thread.path("parkBlocker").path("object").asText();
            owner = thread.path("parkBlocker").hasNonNull("owner")
                    ? "#" + thread.path("parkBlocker").get("owner").asText() : null;
        }
        List<String> stack = new ArrayList<>();
        thread.path("stack").forEach(frame -> stack.add(frame.asText()));
        List<ThreadSnapshot.HeldMonitor> monitors = new ArrayList<>();
        for (JsonNode owned : thread.path("monitorsOwned")) {
            owned.path("locks").forEach(lock -> monitors.add(
                    new ThreadSnapshot.HeldMonitor(owned.path("depth").asInt(), lock.asText())));
        }
        return new ThreadSnapshot(thread.path("tid").asLong(), thread.path("name").asText(),
                thread.path("virtual").asBoolean(false), thread.path("state").asText(), container,
                thread.hasNonNull("carrier") ? "#" + thread.get("carrier").asText() : null,
                waitKind, waitingOn, owner, stack, monitors, List.of(), false);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover temp file is harmless; the dump itself succeeded or already failed
        }
    }
}
