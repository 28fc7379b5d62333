package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} process of a topology ({@link RedisCluster}, {@link RedisSentinels}): a cluster node, a
 * master, a replica or a sentinel, on its own loopback port and temp dir, stopped by its PID. Unlike
 * {@link BinaryRedis} it can die abruptly ({@link #kill()}, {@code kill -9}), which is what a failover test needs.
 */
public final class RedisNode implements AutoCloseable {

    private final int port;
    private final Path dir;
    private final List<String> command;
    private Process process;
    private boolean frozen;

    /**
     * Starts {@code redis-server} on the port, bound to loopback, in its temp dir, without persistence, with
     * {@code extra} arguments; returns once it answers a PING.
     */
    static RedisNode start(int port, List<String> extra) {
        RedisNode node = new RedisNode(port, tempDir(), List.of(), extra);
        node.launch();
        return node;
    }

    /**
     * Starts a sentinel ({@code redis-server sentinel.conf --sentinel}) whose config file holds {@code config}: a
     * sentinel rewrites its file with what it learns, so it must be a file of its own, and come first.
     */
    static RedisNode startSentinel(int port, String config) {
        Path dir = tempDir();
        try {
            Files.writeString(dir.resolve("sentinel.conf"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RedisNode node = new RedisNode(port, dir, List.of(dir.resolve("sentinel.conf").toString(), "--sentinel"),
                List.of());
        node.launch();
        return node;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("tally-redis-node-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RedisNode(int port, Path dir, List<String> head, List<String> extra) {
        this.port = port;
        this.dir = dir;
        Path binary = BinaryRedis.findOnPath().orElseThrow(() -> new IllegalStateException(
                "a Redis Cluster or Sentinel test needs redis-server on the PATH (apt-get install redis-server)"));
        List<String> all = new ArrayList<>();
        all.add(binary.toString());
        all.addAll(head);
        all.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no"));
        all.addAll(extra);
        this.command = List.copyOf(all);
    }

    private void launch() {
        process = BinaryRedis.startLogged(command, dir);
        RedisPing.awaitAnswer("127.0.0.1", port, Duration.ofSeconds(10));
    }

    public int port() {
        return port;
    }

    /** {@code host:port}, as {@code redis-cli --cluster} and {@code CLUSTER NODES} write it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public String url() {
        return "redis://" + address();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** One command to this node; its reply as {@link RedisPing#command} gives it (an error starts with '-'). */
    public String command(String... args) {
        return RedisPing.command("127.0.0.1", port, Duration.ofSeconds(5), args);
    }

    public Map<String, String> info(String section) {
        return RedisPing.info("127.0.0.1", port, section);
    }

    /** {@code kill -9}: the node dies at once, as in a crash; its peers must notice and fail over. */
    public synchronized void kill() {
        if (isRunning()) {
            process.destroyForcibly(); // SIGKILL on Unix
            awaitExit();
        }
    }

    /**
     * {@code kill -STOP}: the node stops answering anything, its replication link included, but its sockets stay
     * open, so its peers see it only as silent (a hung host); {@link #thaw()} lets it go on.
     */
    public synchronized void freeze() {
        signal("-STOP");
        frozen = true;
    }

    /**
     * {@code CLIENT PAUSE <for> WRITE}: the node still answers reads, pings and new connections' handshakes, but
     * holds every write back, the ones its master replicates to it included. A replica so paused applies nothing new
     * and so acknowledges nothing new: a {@code WAIT} on its master times out, as if the link were down, while the
     * node stays healthy in the Cluster's eyes (its bus is not paused). {@link #freeze()} would do the same to
     * replication but also stall any client that opens a connection to the node, and the Vert.x Cluster client opens
     * one to every node for a command when its pool has none idle. Ends after {@code duration} or at
     * {@link #resumeWrites()}.
     */
    public void pauseWrites(Duration duration) {
        expectOk(command("CLIENT", "PAUSE", Long.toString(duration.toMillis()), "WRITE"));
    }

    /** {@code CLIENT UNPAUSE} after {@link #pauseWrites(Duration)}. */
    public void resumeWrites() {
        expectOk(command("CLIENT", "UNPAUSE"));
    }

    private void expectOk(String reply) {
        if (!reply.equals("OK")) {
            throw new IllegalStateException(address() + " answered " + reply);
        }
    }

    /** {@code kill -CONT} after {@link #freeze()}. */
    public synchronized void thaw() {
        if (frozen) {
            signal("-CONT");
            frozen = false;
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Starts the node again at the same address with the same files (a crashed node coming back). */
    public synchronized void restart() {
        if (!isRunning()) {
            launch();
        }
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        thaw(); // a stopped process would not act on SIGTERM
        if (isRunning()) {
            process.destroy(); // SIGTERM: without persistence redis-server exits at once
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
