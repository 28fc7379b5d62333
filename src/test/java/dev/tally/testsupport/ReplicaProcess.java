package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Tally replica as a real process: the packaged fast-jar ({@code tally.app.jar}, set by failsafe) on free
 * loopback ports, configured only through environment variables, as an operator would run it. Every replica of a
 * test run gets the same ops token, generated once per run ({@link #opsToken()}), as a deployment's replicas
 * share one Secret; a test may give its own {@code TALLY_OPS_TOKEN} (or none) through the extra environment.
 */
public final class ReplicaProcess implements AutoCloseable {

    private static final String RUN_TOKEN = OpsToken.generate();
    /** {@code tally.auth.quota.*} far above what any test sends (checked, so its cost stays in every test). */
    public static final Map<String, String> UNLIMITED_QUOTA = Map.of("TALLY_AUTH_QUOTA_KEY_RATE", "1000000",
            "TALLY_AUTH_QUOTA_ANONYMOUS_RATE", "1000000");

    /** {@code tally.auth.anonymous-scopes} granting everything, for tests that are not about authentication. */
    public static final String EVERY_SCOPE = "counters:read,counters:write,counters:admin,jobs:submit,jobs:admin,work";

    private final String instanceId;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final Process process;
    private final Http http = new Http();

    private ReplicaProcess(String instanceId, String redisUrl, Map<String, String> extraEnv) {
        this.instanceId = instanceId;
        this.port = Ports.free();
        this.managementPort = Ports.free();
        try {
            Path logs = Files.createDirectories(Path.of("target", "it-logs"));
            this.log = logs.resolve(instanceId + ".log");
            ProcessBuilder builder = new ProcessBuilder(List.of(javaBinary(),
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED", "-jar", appJar())) // as the image
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = builder.environment();
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
            env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
            env.put("QUARKUS_REDIS_HOSTS", redisUrl);
            env.put("TALLY_INSTANCE_ID", instanceId);
            env.put("TALLY_OPS_TOKEN", RUN_TOKEN);
            // Tests not about authentication call with every scope, unkeyed; an auth test overrides this.
            env.put("TALLY_AUTH_ANONYMOUS_SCOPES", EVERY_SCOPE);
            env.putAll(UNLIMITED_QUOTA); // every test calls from one address; a quota test overrides this
            env.putAll(extraEnv);
            this.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start replica " + instanceId, e);
        }
    }

    /** Starts a replica and waits until it reports ready. */
    public static ReplicaProcess start(String instanceId, String redisUrl) {
        return start(instanceId, redisUrl, Map.of());
    }

    public static ReplicaProcess start(String instanceId, String redisUrl, Map<String, String> extraEnv) {
        ReplicaProcess replica = new ReplicaProcess(instanceId, redisUrl, extraEnv);
        try {
            replica.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException notReady) {
            replica.kill(); // the caller never gets it, so nothing else would stop it
            throw notReady;
        }
        return replica;
    }

    /** Starts a replica without waiting for readiness: for a test of a replica that must not become ready. */
    public static ReplicaProcess launch(String instanceId, String redisUrl, Map<String, String> extraEnv) {
        return new ReplicaProcess(instanceId, redisUrl, extraEnv);
    }

    public String instanceId() {
        return instanceId;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The app port, on 127.0.0.1. */
    public int port() {
        return port;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    /** The ops token of this run's replicas, for {@link Http#withBearer(String)} on the management port. */
    public static String opsToken() {
        return RUN_TOKEN;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public void awaitReady(Duration timeout) {
        awaitProbe("/q/health/ready", timeout);
    }

    /** Waits until the replica runs (its liveness probe answers 200), whether or not it is ready. */
    public void awaitLive(Duration timeout) {
        awaitProbe("/q/health/live", timeout);
    }

    private void awaitProbe(String probe, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("replica " + instanceId + " exited; see " + log.toAbsolutePath());
            }
            try {
                if (http.get(managementUrl(probe)).statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException notListeningYet) {
                // keep polling
            }
            Pause.of(Duration.ofMillis(200));
        }
        throw new IllegalStateException("replica " + instanceId + ": " + probe + " not 200 within " + timeout
                + "; see " + log);
    }

    /** SIGTERM without waiting: the replica starts its graceful drain. */
    public void terminate() {
        process.destroy();
    }

    /** SIGTERM, then waits for a clean exit; returns the exit code. */
    public int stop(Duration grace) {
        terminate();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    /** SIGKILL ({@code kill -9}): no shutdown hook runs; waits until the process is gone. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This replica's log file, for assertions on what it reported. */
    public Path log() {
        return log;
    }

    /** The lines of its log so far that contain {@code text}. */
    public List<String> logLinesWith(String text) {
        try (var lines = Files.lines(log)) {
            return lines.filter(line -> line.contains(text)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(30));
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String appJar() {
        String jar = System.getProperty("tally.app.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("tally.app.jar not set or missing (" + jar + "): run with ./mvnw verify");
        }
        return jar;
    }

}
