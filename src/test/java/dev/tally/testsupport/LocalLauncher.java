package dev.tally.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The README's run command ({@code deploy/local/up}) as a process under test, with its own run dir. Signals go
 * through {@code kill}, not {@link Process#destroy()}, which would also close the launcher's output.
 */
public final class LocalLauncher implements AutoCloseable {

    /**
     * Nginx's per-client rate and connection limits set out of reach, for tests whose load comes from one address
     * and measures the service, not the limiter (NginxLimitsIT and NginxHardeningIT cover the limiter). The same
     * variables drive deploy/local/up and compose.
     */
    public static final Map<String, String> NGINX_LIMITS_OFF = Map.of("TALLY_RATE_LIMIT", "100000r/s",
            "TALLY_RATE_BURST", "100000", "TALLY_WRITE_RATE_LIMIT", "100000r/s", "TALLY_WRITE_RATE_BURST", "100000",
            "TALLY_CONN_LIMIT", "60000", "TALLY_LIVE_CONN_LIMIT", "60000"); // limit_conn takes at most 65535

    private static final Path SCRIPT = Path.of(System.getProperty("tally.project.dir", "."), "deploy", "local", "up");

    private final Process process;
    private final Path runDir;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer log = new StringBuffer();
    private final Thread reader;

    private LocalLauncher(Map<String, String> env, boolean everyScopeAnonymously) {
        try {
            this.runDir = Files.createTempDirectory("tally-run-");
            ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().put("TALLY_RUN_DIR", runDir.toString());
            if (everyScopeAnonymously) {
                // As ReplicaProcess: every scope anonymously unless the test says otherwise.
                builder.environment().put("TALLY_AUTH_ANONYMOUS_SCOPES", ReplicaProcess.EVERY_SCOPE);
            }
            builder.environment().putAll(ReplicaProcess.UNLIMITED_QUOTA);
            builder.environment().putAll(env);
            this.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.reader = Thread.ofVirtual().start(this::readOutput);
    }

    /** Starts the launcher; does not wait for it. */
    public static LocalLauncher start(Map<String, String> env) {
        return new LocalLauncher(env, true);
    }

    /** Starts the launcher with the shipped authentication defaults (anonymous callers may only read counters). */
    public static LocalLauncher startAsShipped(Map<String, String> env) {
        return new LocalLauncher(env, false);
    }

    /** {@code env} plus {@link #NGINX_LIMITS_OFF}. */
    public static Map<String, String> withNginxLimitsOff(Map<String, String> env) {
        Map<String, String> merged = new HashMap<>(env);
        merged.putAll(NGINX_LIMITS_OFF);
        return merged;
    }

    /** Waits until the launcher reports every process ready. */
    public LocalLauncher awaitReady(Duration timeout) {
        awaitLine("ready.", timeout);
        return this;
    }

    public void awaitLine(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null && line.contains(text)) {
                    return;
                }
                if (line == null && !process.isAlive()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("launcher never printed '" + text + "':\n" + log);
    }

    public Process process() {
        return process;
    }

    public Path runDir() {
        return runDir;
    }

    /** The ops token the launcher made for this run, from the file it writes for operators. */
    public String opsToken() {
        try {
            return Files.readString(runDir.resolve("ops-token")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The current pid of replica {@code n} (1-based), as the launcher records it (written atomically). */
    public long replicaPid(int n) {
        try {
            return Long.parseLong(Files.readString(runDir.resolve("replica-" + n + ".pid")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void signal(long pid, String signal) {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM and wait; returns the exit code. */
    public int stop(Duration timeout) {
        if (process.isAlive()) {
            signal(process.pid(), "TERM");
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("launcher did not stop within " + timeout + ":\n" + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    /**
     * For a test class's {@code @AfterAll}: stops {@code launcher} if it was started, and fails unless it exited 0
     * (a launcher that cannot stop cleanly leaves processes behind), showing what it printed.
     */
    public static void stopCleanly(LocalLauncher launcher, Duration timeout) {
        if (launcher != null) {
            int exit = launcher.stop(timeout);
            if (exit != 0) {
                throw new AssertionError("launcher exited " + exit + ":\n" + launcher.output());
            }
        }
    }

    /** Everything printed so far; once the launcher has exited, everything it printed. */
    public String output() {
        if (!process.isAlive()) {
            try {
                reader.join(Duration.ofSeconds(5)); // the output ends when the process does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return log.toString();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(60));
        }
    }

    private void readOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                log.append(line).append('\n');
                lines.add(line);
            }
        } catch (IOException e) {
            log.append("[output closed: ").append(e.getMessage()).append("]\n");
        }
    }
}
