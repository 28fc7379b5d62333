package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

/**
 * A real Redis Cluster of 3 masters with one replica each, from the {@code redis-server} binary: six nodes with
 * {@code --cluster-enabled yes} on free loopback ports (each with its bus at port + 10000), joined by
 * {@code redis-cli --cluster create ... --cluster-replicas 1}, returned once every node says {@code cluster_state:ok}
 * with all 16384 slots served and every master has its replica online. Starts in a few seconds; a test class shares
 * one (its test resource holds it).
 */
public final class RedisCluster implements AutoCloseable {

    public static final int MASTERS = 3;
    private static final int NODES = MASTERS * 2;
    private static final Duration START = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(RedisCluster.class);

    private final List<RedisNode> nodes = new ArrayList<>();

    private RedisCluster() {
    }

    public static RedisCluster start() {
        RedisCluster cluster = new RedisCluster();
        try {
            for (int i = 0; i < NODES; i++) {
                // A short node timeout: a killed master is failed over in about two seconds, not fifteen.
                cluster.nodes.add(RedisNode.start(Ports.freeWithClusterBus(), List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")));
            }
            cluster.create();
            cluster.awaitHealthy(START);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.infof("Test Redis Cluster: %s", cluster.hosts());
        return cluster;
    }

    private void create() {
        List<String> command = new ArrayList<>(List.of("--cluster", "create"));
        nodes.forEach(node -> command.add(node.address()));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        String output = cli(command);
        if (!output.contains("[OK] All 16384 slots covered")) {
            throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
        }
    }

    /** {@code redis-cli} with {@code args}; its output, or a failure when it exits with an error. */
    private static String cli(List<String> args) {
        List<String> command = new ArrayList<>(List.of(redisCli().toString()));
        command.addAll(args);
        try {
            Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
            cli.getOutputStream().close();
            if (!cli.waitFor(START.toSeconds(), TimeUnit.SECONDS)) {
                cli.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + START);
            }
            String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (cli.exitValue() != 0) {
                throw new IllegalStateException(command + " failed (" + cli.exitValue() + "):\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /**
     * Moves {@code key}'s slot, with its keys, to the master {@code to}, as {@code redis-cli --cluster reshard} does
     * (IMPORTING and MIGRATING, MIGRATE until the slot is empty on its old master, then the new owner on every
     * master), while clients go on using it. Each stage is held for {@code hold}: a command on the slot meets
     * {@code TRYAGAIN} while its keys are split between the two masters (some exist, new ones would go to the new
     * master), {@code ASK} once they have all moved, and {@code MOVED} after, until the client knows the new owner.
     */
    public void moveSlotOf(String key, RedisNode to, Duration hold) {
        RedisNode from = masterOf(key);
        String slot = from.command("CLUSTER", "KEYSLOT", key);
        String fromId = from.command("CLUSTER", "MYID");
        String toId = to.command("CLUSTER", "MYID");
        expectOk(to.command("CLUSTER", "SETSLOT", slot, "IMPORTING", fromId));
        expectOk(from.command("CLUSTER", "SETSLOT", slot, "MIGRATING", toId));
        Pause.of(hold);
        for (List<String> keys = keysInSlot(from, slot); !keys.isEmpty(); keys = keysInSlot(from, slot)) {
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(to.port()), "",
                    "0", "5000", "KEYS"));
            migrate.addAll(keys);
            String reply = from.command(migrate.toArray(String[]::new));
            if (!reply.equals("OK") && !reply.equals("NOKEY")) {
                throw new IllegalStateException("MIGRATE failed: " + reply);
            }
        }
        Pause.of(hold);
        for (RedisNode master : List.of(to, from)) {
            expectOk(master.command("CLUSTER", "SETSLOT", slot, "NODE", toId));
        }
        masters().stream().filter(master -> master != to && master != from)
                .forEach(master -> expectOk(master.command("CLUSTER", "SETSLOT", slot, "NODE", toId)));
    }

    private static List<String> keysInSlot(RedisNode node, String slot) {
        return cli(List.of("-p", Integer.toString(node.port()), "CLUSTER", "GETKEYSINSLOT", slot, "500")).lines()
                .filter(line -> !line.isBlank()).toList();
    }

    private static void expectOk(String reply) {
        if (!"OK".equals(reply)) {
            throw new IllegalStateException("Redis answered " + reply);
        }
    }

    private static Path redisCli() {
        Path cli = BinaryRedis.findOnPath().orElseThrow().resolveSibling("redis-cli");
        if (!Files.isExecutable(cli)) {
            throw new IllegalStateException("a Redis Cluster test needs redis-cli beside redis-server (" + cli + ")");
        }
        return cli;
    }

    /**
     * Waits until every running node reports the cluster healthy (state ok, all slots served, {@link #MASTERS}
     * masters each with an online replica): after the start, or after a failover and a restarted node's return.
     */
    public void awaitHealthy(Duration timeout) {
        Await.until(timeout, "a healthy Redis Cluster", this::healthy, this::describe);
    }

    private boolean healthy() {
        try {
            List<RedisNode> running = running();
            boolean allOk = running.stream().map(node -> node.command("CLUSTER", "INFO")).allMatch(info ->
                    info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384"));
            List<RedisNode> masters = masters();
            return allOk && masters.size() == MASTERS && masters.stream().allMatch(master ->
                    master.info("replication").getOrDefault("slave0", "").contains("state=online"));
        } catch (UncheckedIOException | IllegalStateException notYet) {
            return false;
        }
    }

    private String describe() {
        return running().stream().map(node -> {
            try {
                return node.address() + " " + node.info("replication").get("role") + " "
                        + node.command("CLUSTER", "INFO").lines().filter(line -> line.startsWith("cluster_state"))
                                .findFirst().orElse("?");
            } catch (RuntimeException e) {
                return node.address() + " " + e.getMessage();
            }
        }).collect(Collectors.joining("; "));
    }

    /** Every node's URL, comma-separated: what {@code quarkus.redis.hosts} takes for a cluster client. */
    public String hosts() {
        return nodes.stream().map(RedisNode::url).collect(Collectors.joining(","));
    }

    public List<RedisNode> nodes() {
        return List.copyOf(nodes);
    }

    private List<RedisNode> running() {
        return nodes.stream().filter(RedisNode::isRunning).toList();
    }

    /** The running nodes that are masters now (a failover changes which). */
    public List<RedisNode> masters() {
        return running().stream().filter(node -> "master".equals(node.info("replication").get("role"))).toList();
    }

    /** The running master that serves {@code key}'s slot now (from its own {@code CLUSTER NODES} line). */
    public RedisNode masterOf(String key) {
        int slot = slotOf(key);
        return masters().stream().filter(master -> servesSlot(master, slot)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no running master serves slot " + slot));
    }

    /** The running replica of {@code master} (each master has one). */
    public RedisNode replicaOf(RedisNode master) {
        return running().stream().filter(node -> {
            Map<String, String> replication = node.info("replication");
            return "slave".equals(replication.get("role"))
                    && Integer.toString(master.port()).equals(replication.get("master_port"));
        }).findFirst().orElseThrow(() -> new IllegalStateException("no running replica of " + master.address()));
    }

    /** Waits until a running master other than {@code gone} (killed) serves {@code key}'s slot, cluster state ok. */
    public void awaitPromotionAfter(RedisNode gone, String key, Duration timeout) {
        Await.until(timeout, "a replica promoted in place of " + gone.address(), () -> {
            try {
                return masterOf(key) != gone && running().stream().allMatch(node ->
                        node.command("CLUSTER", "INFO").contains("cluster_state:ok"));
            } catch (RuntimeException notYet) {
                return false;
            }
        }, this::describe);
    }

    /** The hash slot of {@code key}, as the cluster computes it. */
    public int slotOf(String key) {
        return Integer.parseInt(masters().getFirst().command("CLUSTER", "KEYSLOT", key));
    }

    /** Whether the node's own line of {@code CLUSTER NODES} ends with a slot range that holds {@code slot}. */
    private static boolean servesSlot(RedisNode node, int slot) {
        String mine = node.command("CLUSTER", "NODES").lines().filter(line -> line.contains("myself"))
                .findFirst().orElseThrow();
        String[] fields = mine.split(" ");
        for (int i = 8; i < fields.length; i++) { // after id, address, flags, master, ping, pong, epoch, link
            if (fields[i].startsWith("[")) {
                continue; // a slot being migrated or imported
            }
            String[] range = fields[i].split("-");
            int first = Integer.parseInt(range[0]);
            int last = range.length == 2 ? Integer.parseInt(range[1]) : first;
            if (slot >= first && slot <= last) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        nodes.forEach(RedisNode::close);
    }
}
