package dev.tally.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * Reads over the whole keyspace, on any topology: {@code SCAN} and reading many keys at once. On one Redis (or
 * behind Sentinel) that is plain {@code SCAN} and {@code MGET}. A Redis Cluster spreads the keys over its masters
 * and the client would send a keyless {@code SCAN} to any node, so there the scan visits the masters one after the
 * other, each named by the first slot it serves (a {@link Position}), and the keys are read one {@code GET} each,
 * every one from its own slot's master.
 */
@Singleton
public class KeySpace {

    /**
     * Where a scan stands: the master (by the first slot it serves; always 0 on one Redis) and its SCAN cursor. A
     * slot survives a failover (the promoted replica serves it, with the same keys), so a position does too.
     */
    public record Position(int shard, String cursor) {

        public static final Position START = new Position(0, "0");

        public Position {
            if (shard < 0 || shard >= HashSlots.COUNT) {
                throw new IllegalArgumentException("no such slot: " + shard);
            }
        }
    }

    /** The keys of one SCAN step and where the next one starts; {@code next} is null when all are visited. */
    public record Batch(List<String> keys, Position next) {
    }

    private final RedisGateway redis;
    private final Keys keys;
    private final boolean cluster;
    private final HashSlots slots;
    private final LuaScript scanScript = LuaScript.load("keyspace_scan");

    public KeySpace(RedisGateway redis, Keys keys,
            @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.redis = redis;
        this.keys = keys;
        this.cluster = "cluster".equalsIgnoreCase(clientType);
        this.slots = cluster ? new HashSlots() : null;
    }

    /** One SCAN step from {@code at}: up to about {@code count} keys visited, those matching {@code pattern}. */
    public Uni<Batch> scan(Position at, String pattern, int count) {
        String hint = Integer.toString(count);
        if (!cluster) {
            return redis.command("SCAN", at.cursor(), "MATCH", pattern, "COUNT", hint).map(reply -> {
                String following = reply.get(0).toString();
                return new Batch(keysOf(reply), "0".equals(following) ? null : new Position(0, following));
            });
        }
        Uni<Response> step = redis.script(scanScript, List.of(keys.slotAnchor(slots.tagOf(at.shard()))),
                List.of(at.cursor(), pattern, hint));
        return step.flatMap(reply -> {
            String following = reply.get(0).toString();
            if (!"0".equals(following)) {
                return Uni.createFrom().item(new Batch(keysOf(reply), new Position(at.shard(), following)));
            }
            return nextShard(at.shard()).map(shard -> new Batch(keysOf(reply),
                    shard < 0 ? null : new Position(shard, "0")));
        });
    }

    /** The values of {@code valueKeys}, in their order; null for a key that does not exist. */
    public Uni<List<Response>> values(List<String> valueKeys) {
        if (!cluster) {
            return redis.command("MGET", valueKeys.toArray(String[]::new)).map(reply -> {
                List<Response> values = new ArrayList<>(reply.size());
                for (int i = 0; i < reply.size(); i++) {
                    values.add(reply.get(i)); // null for nil
                }
                return values;
            });
        }
        // Counter keys are in as many slots as names: one GET per key, sent together, each to its slot's master.
        List<Uni<Response>> reads = valueKeys.stream().map(key -> redis.command("GET", key)).toList();
        return Uni.join().all(reads).andFailFast();
    }

    /** The keys of a SCAN reply ({@code [cursor, [key, ...]]}). */
    private static List<String> keysOf(Response reply) {
        List<String> found = new ArrayList<>(reply.get(1).size());
        reply.get(1).forEach(key -> found.add(key.toString()));
        return found;
    }

    /**
     * The first slot of the master after the one whose first slot is {@code shard} (masters ordered by their first
     * slot, from {@code CLUSTER SLOTS}), or -1 when it was the last.
     */
    private Uni<Integer> nextShard(int shard) {
        return redis.command("CLUSTER", "SLOTS").map(reply -> {
            Integer next = mastersOf(reply).higher(shard);
            return next == null ? -1 : next;
        });
    }

    /**
     * Every master answers, within {@code budget}: on one Redis (or Sentinel's master) a {@code PING}; on a Cluster,
     * after {@code CLUSTER SLOTS} from any node, a read of a key in each master's first slot, all at once, which the
     * client sends to the node it holds for that slot (each step within half the budget). A {@code PING} alone
     * would go to one random node, and say nothing of the masters that serve the writes. What readiness asks.
     */
    public Uni<Void> pingMasters(Duration budget) {
        if (!cluster) {
            return redis.ping(budget);
        }
        Duration step = budget.dividedBy(2);
        return redis.command(step, "CLUSTER", "SLOTS").flatMap(reply -> {
            List<Uni<Response>> reads = mastersOf(reply).stream()
                    .map(first -> redis.command(step, "EXISTS", keys.slotAnchor(slots.tagOf(first)))).toList();
            return Uni.join().all(reads).andFailFast().replaceWithVoid();
        });
    }

    /** The masters of a {@code CLUSTER SLOTS} reply, each by the lowest slot it serves. */
    private static TreeSet<Integer> mastersOf(Response reply) {
        // Each entry: [first slot, last slot, [master host, port, node id, ...], replicas...]; a master may serve
        // several ranges, and is known by its lowest slot.
        Map<String, Integer> firstByNode = new HashMap<>();
        for (Response range : reply) {
            firstByNode.merge(range.get(2).get(2).toString(), range.get(0).toInteger(), Math::min);
        }
        return new TreeSet<>(firstByNode.values());
    }
}
