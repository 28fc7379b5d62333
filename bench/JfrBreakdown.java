import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * What each per-request feature of Tally costs, from one JFR recording taken under steady load (bench/profile.sh):
 * the share of CPU samples (jdk.ExecutionSample) and of allocation samples (jdk.ObjectAllocationSample),
 * attributed to a feature by the stack, and the bytes allocated per request in all (jdk.ThreadAllocationStatistics).
 *
 * <pre>java bench/JfrBreakdown.java RECORDING.jfr REQUESTS [CPU_SECONDS] [FEATURE]</pre>
 *
 * With FEATURE (a row's name, or a part of it), it also lists that row's most frequent innermost frames.
 *
 * <p>Bytes: the total per request is exact (every thread's allocated bytes at the recording's start and end, over
 * the requests wrk counted). The allocation-sample shares are only a pointer: samples are taken when a thread
 * needs a new buffer (TLAB), whose size the JVM varies per thread, and a row's share moved by several times between
 * two runs of the same build. To measure what a change saves, compare the totals before and after.
 *
 * Attribution, first rule that matches a sample's stack wins:
 * <ol>
 * <li>arming or cancelling a timer (Vert.x timers behind Mutiny's {@code ifNoItem().after(...)}: the deadline's and
 * each Redis call's budget; scheduled executors), or Tally's timeout slots that replaced them;
 * <li>the innermost frame of Tally's own code ({@code dev.tally}) above the innermost {@code RoutingContext.next()}
 * (a stage passing the request on has all that follows below its frames): the feature that class implements;
 * <li>a Micrometer frame: the HTTP route metrics Quarkus records per request;
 * <li>a JBoss LogManager frame: writing log lines (the access log's async handler thread);
 * <li>otherwise the library of the innermost frame (Netty, Vert.x, RESTEasy, Jackson, the JDK...): the framework.
 * </ol>
 * Work a feature causes but that runs in a callback of the framework (the Redis reply parsed by the client, the
 * header bytes Netty encodes) lands in the framework's rows: bench/profile.sh also measures such costs by switching
 * a feature off in a separate run (the quota, the timing log).
 */
public class JfrBreakdown {

    private static final String TIMERS = "per-request timeouts (timers behind ifNoItem().after, or Tally's timeout slots)";

    /** Tally's classes, by feature (prefix of the class name after {@code dev.tally.}). */
    private static final Map<String, String> FEATURES = new LinkedHashMap<>();

    static {
        FEATURES.put("runtime.Timeout", TIMERS);
        FEATURES.put("web.RequestTagging", "request ids, instance header (tagging)");
        FEATURES.put("web.RequestIds", "request ids, instance header (tagging)");
        FEATURES.put("web.RequestTiming", "timing stage (Server-Timing header, end handler)");
        FEATURES.put("web.AccessLog", "timing log (building the access line)");
        FEATURES.put("web.InFlightRequest", "in-flight registry and Redis time account");
        FEATURES.put("redis.RedisTime", "in-flight registry and Redis time account");
        FEATURES.put("web.ServingThreadFilter", "serving-thread filter (dispatch-delay timer)");
        FEATURES.put("web.ThreadKind", "serving-thread filter (dispatch-delay timer)");
        FEATURES.put("guard.Deadline", "deadlines (interceptor)");
        FEATURES.put("guard.RequestTimeoutHeader", "deadlines (interceptor)");
        FEATURES.put("guard.DrainHandoff", "drain checks");
        FEATURES.put("web.BodyLimit", "body limit");
        FEATURES.put("auth.Quota", "quota (check, RateLimit fields)");
        FEATURES.put("auth.", "authentication and scope check");
        FEATURES.put("redis.", "Redis gateway (script call, budget, timing)");
        FEATURES.put("counter.", "the increment itself (resource, store)");
        FEATURES.put("hello.", "the hello resource");
        FEATURES.put("web.", "web (problems, other)");
        FEATURES.put("", "other Tally code");
    }

    private static final List<Map.Entry<String, Predicate<String>>> LIBRARIES = List.of(
            Map.entry("framework: Netty (HTTP codec, sockets)", c -> c.startsWith("io.netty.")),
            Map.entry("framework: Vert.x core and web (router)", c -> c.startsWith("io.vertx.core.")
                    || c.startsWith("io.vertx.ext.web.")),
            Map.entry("framework: Vert.x Redis client", c -> c.startsWith("io.vertx.redis.")
                    || c.startsWith("io.vertx.mutiny.redis.") || c.startsWith("io.quarkus.redis.")),
            Map.entry("framework: RESTEasy Reactive", c -> c.startsWith("org.jboss.resteasy.")),
            Map.entry("framework: Jackson (JSON)", c -> c.startsWith("com.fasterxml.jackson.")),
            Map.entry("framework: Mutiny", c -> c.startsWith("io.smallrye.mutiny.")),
            Map.entry("framework: Quarkus and ArC", c -> c.startsWith("io.quarkus.") || c.startsWith("io.vertx.")),
            Map.entry("JDK", c -> c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")));

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java bench/JfrBreakdown.java RECORDING.jfr REQUESTS [CPU_SECONDS]");
            System.exit(2);
        }
        long requests = Long.parseLong(args[1]);
        double cpuSeconds = args.length > 2 ? Double.parseDouble(args[2]) : -1;
        String shown = args.length > 3 ? args[3] : null;
        Map<String, Long> shownFrames = new HashMap<>();
        Map<String, Long> cpu = new HashMap<>();
        Map<String, Double> bytes = new HashMap<>();
        Map<Long, long[]> threadAllocated = new HashMap<>(); // thread id -> first, last value seen
        long cpuTotal = 0;
        double bytesTotal = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            switch (event.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    String feature = feature(event.getStackTrace());
                    cpu.merge(feature, 1L, Long::sum);
                    cpuTotal++;
                    if (shown != null && feature.contains(shown) && event.getStackTrace() != null) {
                        shownFrames.merge(frames(event.getStackTrace(), 6), 1L, Long::sum);
                    }
                }
                case "jdk.ObjectAllocationSample" -> {
                    // Counted, not weighed: the weights (a TLAB's size, or a large object's) let a few samples
                    // dominate a row, which then swung by 10x between runs.
                    double weight = 1;
                    bytes.merge(feature(event.getStackTrace()), weight, Double::sum);
                    bytesTotal += weight;
                }
                case "jdk.ThreadAllocationStatistics" -> {
                    RecordedThread thread = event.getThread("thread");
                    long allocated = event.getLong("allocated");
                    if (thread != null) {
                        threadAllocated.computeIfAbsent(thread.getJavaThreadId(), id -> new long[] { allocated, allocated })[1] = allocated;
                    }
                }
                default -> {
                }
            }
        }
        long measured = threadAllocated.values().stream().mapToLong(v -> v[1] - v[0]).sum();
        List<String> rows = new ArrayList<>(cpu.keySet());
        bytes.keySet().stream().filter(k -> !cpu.containsKey(k)).forEach(rows::add);
        rows.sort(Comparator.comparing((String k) -> cpu.getOrDefault(k, 0L)).reversed());

        boolean withMicros = cpuSeconds > 0;
        System.out.printf("| feature | CPU samples | %sallocation samples |%n", withMicros ? "CPU µs / request | " : "");
        System.out.printf("|---|---:|%s---:|%n", withMicros ? "---:|" : "");
        for (String row : rows) {
            long samples = cpu.getOrDefault(row, 0L);
            double share = cpuTotal == 0 ? 0 : (double) samples / cpuTotal;
            String micros = withMicros ? String.format("%.1f | ", share * cpuSeconds * 1e6 / requests) : "";
            System.out.printf("| %s | %.1f%% | %s%.1f%% |%n", row, 100 * share, micros,
                    100 * bytes.getOrDefault(row, 0.0) / bytesTotal);
        }
        System.out.printf("| **all** | %,d samples | %s%,.0f samples, **%,.0f bytes / request** |%n", cpuTotal,
                withMicros ? String.format("**%.1f** | ", cpuSeconds * 1e6 / requests) : "", bytesTotal,
                (double) measured / requests);
        System.out.printf("%nrequests=%d cpu_samples=%d allocation_samples_per_request=%.3f "
                + "thread_allocation_statistics_bytes_per_request=%.0f%s%n", requests, cpuTotal, bytesTotal / requests,
                (double) measured / requests, withMicros ? String.format(" cpu_us_per_request=%.1f", cpuSeconds * 1e6 / requests) : "");
        if (shown != null) {
            System.out.printf("%nmost frequent stacks (innermost first) of CPU samples in rows matching '%s':%n", shown);
            shownFrames.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                    .forEach(e -> System.out.printf("%6d  %s%n", e.getValue(), e.getKey()));
        }
    }

    private static String frames(RecordedStackTrace stack, int depth) {
        StringBuilder text = new StringBuilder();
        for (RecordedFrame frame : stack.getFrames().subList(0, Math.min(depth, stack.getFrames().size()))) {
            String type = frame.getMethod().getType().getName();
            text.append(text.isEmpty() ? "" : " < ").append(type.substring(type.lastIndexOf('.') + 1)).append('.')
                    .append(frame.getMethod().getName());
        }
        return text.toString();
    }

    /**
     * Arming or cancelling a timer, innermost frames first: a scheduler's or timer's frame. Stops at a timeout
     * operator passing an item or failure on: what runs below it is the request's own work, not the timer.
     */
    private static boolean inTimer(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            String method = frame.getMethod().getName();
            if (type.contains("UniFailOnTimeout")) {
                return !method.equals("onItem") && !method.equals("onFailure");
            }
            if (type.contains("VertxTimerAwareScheduledExecutorService") || type.contains("InternalTimerHandler")
                    || type.startsWith("io.netty.util.concurrent.AbstractScheduledEventExecutor")
                    || type.contains("DelayedWorkQueue")
                    || (type.startsWith("java.util.concurrent.ScheduledThreadPoolExecutor") && !method.equals("run"))
                    || (type.equals("io.vertx.core.impl.VertxImpl") && method.toLowerCase().contains("timer"))) {
                return true;
            }
        }
        return false;
    }

    private static String feature(RecordedStackTrace stack) {
        if (stack == null) {
            return "no stack";
        }
        List<RecordedFrame> frames = stack.getFrames();
        if (inTimer(frames)) {
            return TIMERS;
        }
        // A stage that passes the request on (ctx.next(), often from a callback) has everything that follows below
        // its frames: only what lies above the innermost next() belongs to the code that is running.
        for (int i = 0; i < frames.size(); i++) {
            String type = frames.get(i).getMethod().getType().getName();
            String method = frames.get(i).getMethod().getName();
            boolean passesOn = type.startsWith("io.vertx.ext.web.impl.RoutingContext")
                    && (method.equals("next") || method.equals("iterateNext"));
            // Tally's timeout operator passing an answer on, or subscribing to the work it bounds: what runs
            // below it is the caller's work or the work itself (a Redis call), not the timeout.
            boolean timeoutBoundary = type.startsWith("dev.tally.runtime.Timeout") && (method.equals("onItem")
                    || method.equals("onFailure") || method.equals("subscribe"));
            if (timeoutBoundary && i == 0) {
                return TIMERS;
            }
            if (passesOn || timeoutBoundary) {
                frames = frames.subList(0, i);
                break;
            }
        }
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            if (type.startsWith("dev.tally.")) {
                String local = type.substring("dev.tally.".length());
                for (Map.Entry<String, String> feature : FEATURES.entrySet()) {
                    if (local.startsWith(feature.getKey())) {
                        return feature.getValue();
                    }
                }
            }
        }
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            if (type.startsWith("io.micrometer.") || type.startsWith("io.quarkus.micrometer.")) {
                return "route metrics (Micrometer HTTP server metrics)";
            }
            if (type.startsWith("org.jboss.logmanager.")) {
                return "log writing (JBoss LogManager, async handler)";
            }
        }
        String top = frames.isEmpty() ? "" : frames.get(0).getMethod().getType().getName();
        for (Map.Entry<String, Predicate<String>> library : LIBRARIES) {
            if (library.getValue().test(top)) {
                return library.getKey();
            }
        }
        return "other";
    }
}
