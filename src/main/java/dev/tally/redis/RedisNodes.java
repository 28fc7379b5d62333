package dev.tally.redis;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/**
 * The single nodes of a Redis Cluster, for what the cluster client does not offer: a connection to one chosen
 * node. Sharded pub/sub needs it ({@code live/}): a subscription must live on the master that serves its channel's
 * slot, and must notice when that changes. The cluster client would route an {@code SSUBSCRIBE} by its own slot
 * cache, answer it before Redis does (a subscription command has no reply to wait for, so a {@code MOVED} comes
 * back as a push), and open a connection to a node it did not know yet without the caller's push handler. A
 * node's client here is the application's own client configuration ({@link RedisOptionsCapture}: password, TLS,
 * timeouts, protocol) aimed at that one node as a standalone server; the {@code redis://} or {@code rediss://}
 * scheme and any user come from the first configured host, as the cluster client itself does for redirects.
 */
@Singleton
public class RedisNodes {

    private final Vertx vertx;
    private final RedisGateway redis;
    private final RedisOptionsCapture configured;
    private final boolean cluster;
    private final Map<String, Redis> clients = new ConcurrentHashMap<>();

    public RedisNodes(Vertx vertx, RedisGateway redis, RedisOptionsCapture configured,
            @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.vertx = vertx;
        this.redis = redis;
        this.configured = configured;
        this.cluster = "cluster".equalsIgnoreCase(clientType);
    }

    /** Whether Redis is a Cluster ({@code quarkus.redis.client-type=cluster}): else one master serves every slot. */
    public boolean cluster() {
        return cluster;
    }

    /** Who serves which slot now, asked of any node ({@code CLUSTER SLOTS}). Cluster only. */
    public Uni<SlotOwners> slotOwners() {
        return redis.command("CLUSTER", "SLOTS").map(SlotOwners::of);
    }

    /** A client of the one node at {@code address} ({@code host:port}, as {@link SlotOwners} names it). */
    public Redis node(String address) {
        return clients.computeIfAbsent(address, this::create);
    }

    private Redis create(String address) {
        RedisOptions options = configured.copy();
        URI first = URI.create(options.getEndpoint());
        String user = first.getRawUserInfo() == null ? "" : first.getRawUserInfo() + "@";
        options.setType(RedisClientType.STANDALONE)
                .setEndpoints(List.of(first.getScheme() + "://" + user + address))
                // One subscription connection per node, and one more while a lost one is replaced.
                .setMaxPoolSize(2).setMaxPoolWaiting(8).setPoolName("tally-node-" + address);
        return Redis.createClient(vertx, options);
    }

    void stop(@Observes ShutdownEvent stopping) {
        clients.values().forEach(Redis::close);
        clients.clear();
    }
}
