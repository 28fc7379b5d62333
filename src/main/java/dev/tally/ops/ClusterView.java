package dev.tally.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.redis.Keys;
import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import dev.tally.runtime.FailureEpisode;
import dev.tally.runtime.InstanceId;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The cluster view: every replica publishes its snapshot to Redis each {@code tally.ops.snapshot-interval}, with
 * a TTL of {@code tally.ops.snapshot-ttl}, and any replica lists the live ones. Layout: one small string per
 * replica (its snapshot, expiring) plus one sorted set of replica ids. Listing reads the set and then the
 * snapshots (ZRANGE + MGET): two round trips whose cost grows with the number of replicas, not with the size of
 * the database, as a SCAN over all keys would. A snapshot that expired means its replica is gone, even if the
 * index still names it for a moment.
 */
@Singleton
public class ClusterView {

    private static final Logger LOG = Logger.getLogger(ClusterView.class);

    private final RedisGateway redis;
    private final Keys keys;
    private final SnapshotFactory snapshots;
    private final InstanceId instance;
    private final OpsSettings settings;
    private final ObjectMapper json;
    private final LuaScript publish = LuaScript.load("replica_publish");
    private final FailureEpisode trouble;

    public ClusterView(RedisGateway redis, Keys keys, SnapshotFactory snapshots, InstanceId instance,
            OpsSettings settings, ObjectMapper json) {
        this.redis = redis;
        this.keys = keys;
        this.snapshots = snapshots;
        this.instance = instance;
        this.settings = settings;
        this.json = json;
        this.trouble = new FailureEpisode(LOG, "Cluster snapshot publication", settings.snapshotInterval());
    }

    void start(@Observes StartupEvent started, OpsClock clock) {
        clock.every(settings.snapshotInterval(), "cluster snapshot", this::publish);
    }

    /** Publishes this replica's snapshot now; failures (Redis down or refusing) are logged once per episode. */
    void publish() {
        String snapshot;
        try {
            snapshot = json.writeValueAsString(snapshots.now());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        redis.script(publish, List.of(keys.replicaIndex(), keys.replicaSnapshot(instance.value())),
                List.of(instance.value(), snapshot, Long.toString(settings.snapshotTtl().toMillis())))
                .subscribe().with(ok -> trouble.succeeded(), trouble::failed);
    }

    /** Every live replica's latest snapshot, ordered by instance id. */
    public Uni<List<JsonNode>> live() {
        return redis.command("ZRANGE", keys.replicaIndex(), "0", "-1").chain(ids -> {
            if (ids == null || ids.size() == 0) {
                return Uni.createFrom().item(List.<JsonNode>of());
            }
            List<String> args = new ArrayList<>();
            ids.forEach(id -> args.add(keys.replicaSnapshot(id.toString())));
            return redis.command("MGET", args.toArray(String[]::new)).map(this::parse);
        });
    }


    private List<JsonNode> parse(Response values) {
        List<JsonNode> live = new ArrayList<>();
        for (Response value : values) {
            if (value == null) {
                continue; // expired: that replica stopped publishing
            }
            try {
                live.add(json.readTree(value.toString()));
            } catch (JsonProcessingException e) {
                LOG.debugf("unreadable replica snapshot skipped: %s", e.getMessage());
            }
        }
        live.sort(Comparator.comparing(node -> node.path("instance").asText()));
        return live;
    }
}
