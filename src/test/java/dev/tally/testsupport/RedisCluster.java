package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        List<String> command = new ArrayList<>(List.of(redisCli().toString(), "--cluster", "create"));
        nodes.forEach(node -> command.add(node.address()));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        try {
            Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
            create.getOutputStream().close();
            if (!create.waitFor(START.toSeconds(), TimeUnit.SECONDS)) {
                create.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create did not finish within " + START);
            }
            String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (create.exitValue() != 0 || !output.contains("[OK] All 16384 slots covered")) {
                throw new IllegalStateException("redis-cli --cluster create failed (" + create.exitValue() + "):\n"
                        + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the cluster", e);
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

    /**
     * Moves {@code key}'s slot from one master to another as a resharding does ({@code CLUSTER SETSLOT} importing
     * and migrating, {@code MIGRATE} of its keys, then the new owner announced to every master); {@code slotKeys}
     * must be every key the slot holds.
     */
    public void moveSlot(String key, List<String> slotKeys, RedisNode from, RedisNode to) {
        String slot = Integer.toString(slotOf(key));
        String fromId = from.command("CLUSTER", "MYID");
        String toId = to.command("CLUSTER", "MYID");
        List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(to.port()), "", "0",
                "5000", "KEYS"));
        migrate.addAll(slotKeys);
        List<String> replies = new ArrayList<>(List.of(to.command("CLUSTER", "SETSLOT", slot, "IMPORTING", fromId),
                from.command("CLUSTER", "SETSLOT", slot, "MIGRATING", toId), from.command(migrate.toArray(String[]::new)),
                to.command("CLUSTER", "SETSLOT", slot, "NODE", toId),
                from.command("CLUSTER", "SETSLOT", slot, "NODE", toId)));
        masters().stream().filter(master -> master != from && master != to)
                .forEach(master -> replies.add(master.command("CLUSTER", "SETSLOT", slot, "NODE", toId)));
        if (!replies.stream().allMatch("OK"::equals)) {
            throw new IllegalStateException("moving slot " + slot + " failed: " + replies);
        }
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
