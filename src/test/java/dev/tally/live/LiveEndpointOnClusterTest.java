package dev.tally.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.redis.Keys;
import dev.tally.testsupport.Await;
import dev.tally.testsupport.ClusterRoute;
import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.RedisCluster;
import dev.tally.testsupport.RedisNode;
import dev.tally.testsupport.RedisPing;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link LiveEndpointTest} again on a real Redis Cluster of 3 masters and 3 replicas, where changes go out on
 * sharded pub/sub: watchers of counters on every master see exact final values, a change reaches only its slot's
 * shard (its master and that master's replica, not the other masters), and live sockets stay open through the
 * failover of the master that serves their counter.
 */
@QuarkusTest
@TestProfile(ClusterRoute.class)
class LiveEndpointOnClusterTest extends LiveEndpointTest {

    private static final int CLIENTS = 12;
    private static final int INCREMENTS = 150;

    @TestHTTPResource("/")
    URI root;

    @Inject
    Keys keys;

    /** Set by {@link ClusterRoute.Resource}. */
    RedisCluster cluster;

    @Test
    void watchersOfCountersOnEveryMasterSeeTheExactFinalValues() {
        Map<RedisNode, String> counters = oneCounterPerMaster();
        List<String> names = List.copyOf(counters.values());
        List<LiveSocket> sockets = new ArrayList<>();
        try {
            names.forEach(name -> sockets.add(LiveSocket.open(live(name), name, null)));
            sockets.forEach(socket -> socket.awaitLast(0, WAIT));
            Concurrently.run(INCREMENTS, CLIENTS, Duration.ofSeconds(120), i -> {
                increment(names.get(i % names.size()), 1 + i % 3);
                return null;
            });
            for (int c = 0; c < names.size(); c++) {
                long expected = 0;
                for (int i = c; i < INCREMENTS; i += names.size()) {
                    expected += 1 + i % 3;
                }
                assertEquals(expected, value(names.get(c)), "the counter counted exactly");
                sockets.get(c).awaitLast(expected, WAIT);
            }
        } finally {
            sockets.forEach(LiveSocket::close);
        }
    }

    /**
     * The probe: while a socket watches a counter, only its slot's master holds a shard channel subscription, and
     * the changes travel on the cluster bus only to that master's replica: every other node receives no publish
     * message of either kind ({@code CLUSTER INFO}'s bus statistics). Classic {@code PUBLISH} would have gone to
     * all five other nodes.
     */
    @Test
    void aChangeReachesOnlyTheShardThatOwnsItsSlot() {
        String name = Unique.name("live-shard");
        RedisNode owner = cluster.masterOf(keys.counterValue(name));
        try (LiveSocket socket = LiveSocket.open(live(name), name, null)) {
            socket.awaitLast(0, WAIT);
            Map<RedisNode, Long> before = publishesReceived();
            int changes = 20;
            for (int i = 1; i <= changes; i++) {
                increment(name, 1);
            }
            socket.awaitLast(changes, WAIT);
            // The master forwards each message to its replica over the bus on its own time: the socket may have
            // every change while the replica's count still lags (seen once: 16 of 20), so wait for it.
            RedisNode replica = replicaOf(owner);
            Await.until(WAIT, "the owner's replica got every change on the bus",
                    () -> publishesReceived().get(replica) - before.get(replica) >= changes,
                    () -> before + " -> " + publishesReceived());
            Map<RedisNode, Long> after = publishesReceived();
            before.keySet().stream().filter(node -> node != owner && node != replica).forEach(node ->
                    assertEquals(0, after.get(node) - before.get(node), node.address() + " got publish messages"));
            Await.until(WAIT, "the subscription on the owner alone",
                    () -> cluster.masters().stream().allMatch(master ->
                            shardChannels(master) == (master == owner ? 1 : 0)),
                    () -> cluster.masters().stream().map(m -> m.address() + "=" + shardChannels(m)).toList()
                            .toString());
        }
    }

    /**
     * A resharding moves a watched counter's slot (keys included) to another master: the old one drops the shard
     * channel with a {@code sunsubscribe} of its own, and the subscription must follow the slot to the new master.
     */
    @Test
    void aSocketFollowsItsCounterWhenItsSlotMovesToAnotherMaster() {
        SlotMove move = counterOfFiveToMove("live-move");
        String name = move.name();
        RedisNode to = move.to();
        try (LiveSocket socket = LiveSocket.open(live(name), name, null)) {
            socket.awaitLast(5, WAIT);
            cluster.moveSlotOf(keys.counterValue(name), to, Duration.ZERO);
            increment(name, 1);
            socket.awaitLast(6, WAIT);
            increment(name, 1);
            socket.awaitLast(7, WAIT);
            assertEquals(1, shardChannels(to), "the subscription moved with the slot");
        }
    }

    /**
     * A slot moves while nobody here watches its counters, so no {@code sunsubscribe} tells the subscriber, whose
     * layout is now stale: the first watcher's {@code SSUBSCRIBE} goes to the old master, which answers
     * {@code MOVED}. The subscriber must read the layout again and subscribe on the new master: the socket gets the
     * current value and every change after it. The log line proves a stale owner was asked and sent it on.
     */
    @Test
    void aWatcherOfACounterWhoseSlotMovedUnseenIsSubscribedOnTheNewMasterAfterMoved() {
        SlotMove move = counterOfFiveToMove("live-moved");
        String name = move.name();
        RedisNode from = move.from();
        RedisNode to = move.to();
        cluster.moveSlotOf(keys.counterValue(name), to, Duration.ZERO);
        try (LogCapture log = LogCapture.of(ChangeSubscription.class.getName());
                LiveSocket socket = LiveSocket.open(live(name), name, null)) {
            socket.awaitLast(5, WAIT);
            increment(name, 1);
            socket.awaitLast(6, WAIT);
            // Usually the old master answers; after the failover test the stale layout may name a node that is a
            // replica now, which answers the same MOVED (seen in CI): either way it points at the new master.
            log.await(message -> message.contains("SSUBSCRIBE refused: MOVED")
                    && message.endsWith(" " + to.address()), WAIT);
            assertEquals(1, shardChannels(to), "subscribed on the slot's new master");
            assertEquals(0, shardChannels(from), "and not on the old one");
        }
    }

    @Test
    void liveSocketsStayOpenThroughTheFailoverOfTheirMasterAndEndOnTheTrueValue() {
        String counter = LiveFailover.counter();
        RedisNode master = cluster.masterOf(keys.counterValue(counter));
        LiveFailover.socketsFollow("Cluster", root, live(counter), counter, () -> {
            master.kill();
            cluster.awaitPromotionAfter(master, keys.counterValue(counter), Duration.ofSeconds(30));
            return System.nanoTime();
        });
        master.restart(); // it rejoins as a replica of the promoted node
        cluster.awaitHealthy(Duration.ofSeconds(30));
    }

    /** A new counter at 5, the master that serves it, and another master to move its slot to. */
    private record SlotMove(String name, RedisNode from, RedisNode to) {
    }

    private SlotMove counterOfFiveToMove(String prefix) {
        String name = Unique.name(prefix);
        increment(name, 5);
        RedisNode from = cluster.masterOf(keys.counterValue(name));
        return new SlotMove(name, from,
                cluster.masters().stream().filter(other -> other != from).findFirst().orElseThrow());
    }

    private Map<RedisNode, String> oneCounterPerMaster() {
        Map<RedisNode, String> chosen = new LinkedHashMap<>();
        List<RedisNode> masters = cluster.masters();
        for (int tries = 0; chosen.size() < masters.size(); tries++) {
            assertTrue(tries < 1000, "names on every master");
            String name = Unique.name("live-spread");
            chosen.putIfAbsent(cluster.masterOf(keys.counterValue(name)), name);
        }
        return chosen;
    }

    private static long shardChannels(RedisNode node) {
        return Long.parseLong(node.info("stats").getOrDefault("pubsubshard_channels", "-1"));
    }

    /** Publish messages of both kinds each running node has received on the cluster bus. */
    private Map<RedisNode, Long> publishesReceived() {
        Map<RedisNode, Long> received = new LinkedHashMap<>();
        cluster.nodes().stream().filter(RedisNode::isRunning).forEach(node -> {
            // CLUSTER INFO lists a message type's counters only once there has been one.
            Map<String, String> info = RedisPing.infoFields(node.command("CLUSTER", "INFO"));
            received.put(node, Long.parseLong(info.getOrDefault("cluster_stats_messages_publish_received", "0"))
                    + Long.parseLong(info.getOrDefault("cluster_stats_messages_publishshard_received", "0")));
        });
        return received;
    }

    private RedisNode replicaOf(RedisNode master) {
        return cluster.nodes().stream().filter(node -> node.isRunning() && node != master
                && Integer.toString(master.port()).equals(node.info("replication").get("master_port")))
                .findFirst().orElseThrow(() -> new AssertionError("no replica of " + master.address()));
    }
}
