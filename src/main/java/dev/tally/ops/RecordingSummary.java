package dev.tally.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A flight recording as a few lines an operator reads without a tool: where the CPU went (execution samples by top
 * frame, and by the first frame outside the JDK, which names the code that asked for the work), the longest
 * blocking (monitor enters and parks on locks; idle pool threads park on conditions and queues, which is no
 * contention, and are left out), lock contention by lock class, GC pauses, and pinned virtual threads.
 */
final class RecordingSummary {

    private static final int TOP = 10;
    private static final int LONGEST = 5;
    private static final Comparator<RecordedEvent> LONGEST_FIRST = Comparator.comparing(RecordedEvent::getDuration,
            Comparator.reverseOrder());

    private final List<RecordedEvent> samples = new ArrayList<>();
    private final List<RecordedEvent> blocking = new ArrayList<>();
    private final List<RecordedEvent> pauses = new ArrayList<>();
    private final List<RecordedEvent> pinned = new ArrayList<>();

    private RecordingSummary() {
    }

    static String of(Path recording) {
        RecordingSummary summary = new RecordingSummary();
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                summary.add(file.readEvent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the recording could not be read", e);
        }
        return summary.render();
    }

    private void add(RecordedEvent event) {
        switch (event.getEventType().getName()) {
            case "jdk.ExecutionSample" -> samples.add(event);
            case "jdk.JavaMonitorEnter" -> blocking.add(event);
            case "jdk.ThreadPark" -> {
                if (lockClass(event).endsWith("Sync")) { // ReentrantLock$NonfairSync, ReentrantReadWriteLock$FairSync...
                    blocking.add(event);
                }
            }
            case "jdk.GarbageCollection" -> pauses.add(event);
            case "jdk.VirtualThreadPinned" -> pinned.add(event);
            default -> {
                // not summarized; the .jfr file has everything
            }
        }
    }

    private String render() {
        StringBuilder out = new StringBuilder();
        out.append("Hot methods (").append(samples.size()).append(" execution samples), by top frame:\n");
        top(out, samples, event -> frame(event.getStackTrace(), false));
        out.append("\nHot methods, by first frame outside the JDK:\n");
        top(out, samples, event -> frame(event.getStackTrace(), true));

        out.append("\nLongest blocking (monitor enters and lock parks over 10 ms: ").append(blocking.size())
                .append("):\n");
        blocking.stream().sorted(LONGEST_FIRST).limit(LONGEST)
                .forEach(event -> out.append(String.format("  %8d ms  %-22s %s on %s, at %s%n",
                        event.getDuration().toMillis(), event.getEventType().getName(), thread(event),
                        lockClass(event), frame(event.getStackTrace(), true))));

        out.append("\nLock contention, by lock class (count, total wait):\n");
        Map<String, Duration> waited = new HashMap<>();
        Map<String, Integer> counted = new HashMap<>();
        blocking.forEach(event -> {
            waited.merge(lockClass(event), event.getDuration(), Duration::plus);
            counted.merge(lockClass(event), 1, Integer::sum);
        });
        waited.entrySet().stream().sorted(Map.Entry.<String, Duration>comparingByValue().reversed()).limit(TOP)
                .forEach(lock -> out.append(String.format("  %6d  %8d ms  %s%n", counted.get(lock.getKey()),
                        lock.getValue().toMillis(), lock.getKey())));

        Duration paused = pauses.stream().map(event -> event.getDuration("sumOfPauses")).reduce(Duration.ZERO,
                Duration::plus);
        Duration longest = pauses.stream().map(event -> event.getDuration("longestPause"))
                .max(Comparator.naturalOrder()).orElse(Duration.ZERO);
        out.append(String.format("%nGC: %d collections, pauses %d ms in all, longest %d ms%n", pauses.size(),
                paused.toMillis(), longest.toMillis()));

        out.append("\nPinned virtual threads (over 20 ms): ").append(pinned.size()).append('\n');
        pinned.stream().sorted(LONGEST_FIRST).limit(LONGEST)
                .forEach(event -> out.append(String.format("  %8d ms  %s, at %s%n", event.getDuration().toMillis(),
                        thread(event), frame(event.getStackTrace(), true))));
        return out.toString();
    }

    private static void top(StringBuilder out, List<RecordedEvent> events, Function<RecordedEvent, String> key) {
        Map<String, Integer> counts = new HashMap<>();
        events.forEach(event -> counts.merge(key.apply(event), 1, Integer::sum));
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(TOP)
                .forEach(method -> out.append(String.format("  %5.1f%%  %s%n",
                        100.0 * method.getValue() / events.size(), method.getKey())));
    }

    /** The top frame, or the first one outside the JDK (the code that asked for the work). */
    private static String frame(RecordedStackTrace stack, boolean outsideJdk) {
        if (stack == null) {
            return "(no stack)";
        }
        for (RecordedFrame frame : stack.getFrames()) {
            String type = frame.getMethod().getType().getName();
            if (!outsideJdk || !(type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun."))) {
                return type + "." + frame.getMethod().getName();
            }
        }
        return "(only JDK frames)";
    }

    private static String thread(RecordedEvent event) {
        return event.getThread() == null ? "?" : "\"" + event.getThread().getJavaName() + "\"";
    }

    private static String lockClass(RecordedEvent event) {
        for (String field : new String[] { "monitorClass", "parkedClass" }) {
            if (event.hasField(field) && event.getClass(field) != null) {
                return event.getClass(field).getName();
            }
        }
        return "?";
    }
}
