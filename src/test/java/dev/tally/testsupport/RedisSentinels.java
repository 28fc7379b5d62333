package dev.tally.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

/**
 * A real Sentinel set from the {@code redis-server} binary: one master, two replicas of it and three sentinels
 * ({@code redis-server sentinel.conf --sentinel}) that monitor it as {@value #MASTER_NAME} with a quorum of two, on
 * free loopback ports. Returned once the replicas are in sync and every sentinel knows the two replicas and the
 * other two sentinels, so that a killed master is failed over. Short timeouts: the master is declared down after
 * one second without answers.
 */
public final class RedisSentinels implements AutoCloseable {

    public static final String MASTER_NAME = "tally-test";
    private static final int REPLICAS = 2;
    private static final int SENTINELS = 3;
    private static final Duration START = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(RedisSentinels.class);

    private final List<RedisNode> servers = new ArrayList<>(); // the first master, then its replicas
    private final List<RedisNode> sentinels = new ArrayList<>();

    private RedisSentinels() {
    }

    public static RedisSentinels start() {
        RedisSentinels set = new RedisSentinels();
        try {
            RedisNode master = RedisNode.start(Ports.free(), List.of());
            set.servers.add(master);
            for (int i = 0; i < REPLICAS; i++) {
                set.servers.add(RedisNode.start(Ports.free(), List.of("--replicaof", "127.0.0.1",
                        Integer.toString(master.port()))));
            }
            String config = String.join("\n",
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                    "sentinel failover-timeout " + MASTER_NAME + " 10000",
                    "sentinel parallel-syncs " + MASTER_NAME + " 1", "");
            for (int i = 0; i < SENTINELS; i++) {
                set.sentinels.add(RedisNode.startSentinel(Ports.free(), config));
            }
            set.awaitHealthy(START);
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
        LOG.infof("Test Redis Sentinel set: master %s, sentinels %s", set.servers.getFirst().address(),
                set.hosts());
        return set;
    }

    /**
     * Waits until the sentinels agree on a running master that has two replicas online, and every sentinel sees
     * the other two and both replicas: after the start, or after a failover and the old master's return.
     */
    public void awaitHealthy(Duration timeout) {
        Await.until(timeout, "a healthy Sentinel set", this::healthy, this::describe);
    }

    private boolean healthy() {
        try {
            String expected = "sentinels=" + SENTINELS;
            boolean sentinelsAgree = sentinels.stream().allMatch(sentinel -> {
                String master = sentinel.info("sentinel").getOrDefault("master0", "");
                return master.contains("status=ok") && master.contains("slaves=" + REPLICAS)
                        && master.contains(expected);
            });
            RedisNode master = master();
            Map<String, String> replication = master.info("replication");
            boolean replicasOnline = Stream.of("slave0", "slave1")
                    .allMatch(replica -> replication.getOrDefault(replica, "").contains("state=online"));
            return sentinelsAgree && replicasOnline;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private String describe() {
        return sentinels.stream().map(sentinel -> {
            try {
                return sentinel.address() + " " + sentinel.info("sentinel").get("master0");
            } catch (RuntimeException e) {
                return sentinel.address() + " " + e.getMessage();
            }
        }).collect(Collectors.joining("; "));
    }

    /** The sentinels' URLs, comma-separated: what {@code quarkus.redis.hosts} takes for a sentinel client. */
    public String hosts() {
        return sentinels.stream().map(RedisNode::url).collect(Collectors.joining(","));
    }

    /**
     * The running server the first sentinel names master now (a failover changes which). Read from its
     * {@code INFO sentinel} ({@code master0:name=...,status=ok,address=127.0.0.1:PORT,...}).
     */
    public RedisNode master() {
        String named = sentinels.getFirst().info("sentinel").getOrDefault("master0", "");
        return servers.stream().filter(server -> server.isRunning()
                && named.contains("address=" + server.address() + ",")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the sentinels name no running master: " + named));
    }

    /** The running servers other than the {@link #master()}: its replicas. */
    public List<RedisNode> replicas() {
        RedisNode master = master();
        return servers.stream().filter(server -> server.isRunning() && server != master).toList();
    }

    /** Waits until the master the sentinels name has a replica online (after a failover, the one left). */
    public void awaitReplicated(Duration timeout) {
        Await.until(timeout, "a replica online for the master", () -> {
            try {
                return master().info("replication").getOrDefault("slave0", "").contains("state=online");
            } catch (RuntimeException notYet) {
                return false;
            }
        }, this::describe);
    }

    /** Waits until the sentinels name a running master other than {@code gone} (after it was killed). */
    public void awaitPromotionAfter(RedisNode gone, Duration timeout) {
        Await.until(timeout, "a replica promoted in place of " + gone.address(), () -> {
            try {
                return master() != gone;
            } catch (IllegalStateException noRunningMasterNamedYet) {
                return false;
            }
        }, this::describe);
    }

    @Override
    public void close() {
        sentinels.forEach(RedisNode::close);
        servers.forEach(RedisNode::close);
    }
}
