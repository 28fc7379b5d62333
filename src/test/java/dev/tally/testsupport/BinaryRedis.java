package dev.tally.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} process from the PATH, on a free loopback port, with its files in a temp dir. Fault tests
 * take one of their own ({@link #dedicated}) to fill it, restart it onto its saved dataset or make it a replica.
 */
public final class BinaryRedis implements RealRedis {

    private final Path binary;
    private final Path dir;
    private final int port;
    private List<String> extraArgs = List.of();
    private Process process;

    BinaryRedis(Path binary) {
        this(binary, List.of());
    }

    private BinaryRedis(Path binary, List<String> extraArgs) {
        this.binary = binary;
        this.extraArgs = extraArgs;
        this.port = Ports.free();
        try {
            this.dir = Files.createTempDirectory("tally-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    /**
     * A server of the calling test's own, whatever {@code TALLY_TEST_ROUTE} says: fault tests need a process they
     * can reconfigure and restart onto its own files, which only the binary gives. {@code extraArgs} are added to
     * its command line (a TLS listener, say); {@link #command} keeps talking to its plain port.
     */
    public static BinaryRedis dedicated(String... extraArgs) {
        return new BinaryRedis(findOnPath().orElseThrow(() -> new IllegalStateException(
                "this test needs redis-server on the PATH (apt-get install redis-server)")), List.of(extraArgs));
    }

    static Optional<Path> findOnPath() {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/usr/bin";
        for (String entry : path.split(File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "redis-server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Override
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public String route() {
        return "binaries (" + binary + ", port " + port + ")";
    }

    public int port() {
        return port;
    }

    /** One command to this server; its reply as {@link RedisPing#command} gives it (an error starts with '-'). */
    public String command(String... args) {
        return RedisPing.command("127.0.0.1", port, Duration.ofSeconds(10), args);
    }

    @Override
    public synchronized void start() {
        launch();
        RedisPing.awaitAnswer("127.0.0.1", port, Duration.ofSeconds(10));
    }

    /**
     * Stops the server and starts it again at the same address and on the same files (the dataset it saved is
     * loaded), with {@code extraArgs} added to the command line; returns once it takes connections, which may be
     * while it is still loading.
     */
    public synchronized void restart(String... extraArgs) {
        stop();
        this.extraArgs = List.of(extraArgs);
        launch();
        Instant deadline = Instant.now().plusSeconds(10);
        while (true) {
            try {
                command("PING"); // any reply: PONG, or LOADING while the dataset loads
                return;
            } catch (UncheckedIOException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("redis-server on port " + port + " did not restart", notYet);
                }
                Pause.of(Duration.ofMillis(50));
            }
        }
    }

    private void launch() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no"));
        command.addAll(extraArgs);
        process = startLogged(command, dir);
    }

    /** Starts a redis-server (or sentinel) command line, its output appended to {@code dir/redis.log}. */
    static Process startLogged(List<String> command, Path dir) {
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy(); // SIGTERM: redis-server exits at once without persistence
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void pause() {
        signal("STOP");
    }

    @Override
    public void resume() {
        signal("CONT");
    }

    private synchronized void signal(String name) {
        if (process == null) {
            throw new IllegalStateException("redis-server is not running");
        }
        try {
            int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + name + " failed with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        deleteQuietly();
    }

    private void deleteQuietly() {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
