package dev.tally.job;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Singleton;

import dev.tally.redis.JobKeys;
import dev.tally.redis.RedisGateway;
import dev.tally.redis.RedisReplyException;
import dev.tally.redis.Replies;
import dev.tally.redis.StreamItem;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple5;
import io.vertx.mutiny.redis.client.Response;

/**
 * What operators read of the queue, over every known shard, joined: its figures for the metrics
 * ({@link QueueSampler}) and the newest dead letters ({@link DeadLetterRoutes}). Reads only; the changes are
 * {@link JobStore}'s.
 */
@Singleton
class QueueReads {

    private final RedisGateway redis;
    private final JobShards shards;

    QueueReads(RedisGateway redis, JobShards shards) {
        this.redis = redis;
        this.shards = shards;
    }

    /** The newest dead letters of every known shard first. */
    Uni<List<DeadLetter>> deadLetters(int count) {
        List<Uni<List<DeadLetter>>> perShard = shards.known().stream().map(shard -> redis
                .command("XREVRANGE", shards.keys(shard).deadLetters(), "+", "-", "COUNT", Integer.toString(count))
                .map(entries -> Replies.streamItems(entries).stream().map(DeadLetter::of).toList())).toList();
        return Uni.join().all(perShard).andCollectFailures().map(lists -> lists.stream().flatMap(List::stream)
                .sorted(Comparator.comparing(DeadLetter::deadAt).reversed()).limit(count).toList());
    }

    /** The queue over every known shard: six O(1)/O(log n) reads per shard ({@link #stats(JobShard)}), summed. */
    Uni<QueueStats> stats() {
        List<Uni<QueueStats>> perShard = shards.known().stream().map(this::stats).toList();
        return Uni.join().all(perShard).andCollectFailures()
                .map(all -> all.stream().reduce(QueueStats.EMPTY, QueueStats::plus));
    }

    /** Lengths, the oldest pending entry, and the first entry not yet delivered, of one shard. */
    private Uni<QueueStats> stats(JobShard shard) {
        JobKeys k = shards.keys(shard);
        Uni<Response> length = redis.command("XLEN", k.stream());
        // Refused (NOGROUP, no such key) when no worker has made the shard's group yet: nothing was delivered.
        // [count, oldest, ...]
        Uni<Optional<Response>> pending = ifThere(redis.command("XPENDING", k.stream(), JobStore.GROUP));
        Uni<Optional<Response>> groups = ifThere(redis.command("XINFO", "GROUPS", k.stream()));
        Uni<Response> retrying = redis.command("ZCARD", k.retries());
        Uni<Response> deadLetters = redis.command("XLEN", k.deadLetters());
        // collectFailures: while Redis is down all five fail, and Mutiny would log each failure after the first
        // as a dropped exception at ERROR, every stats interval.
        return Uni.combine().all().unis(length, pending, groups, retrying, deadLetters).collectFailures()
                .asTuple().flatMap(t -> stats(k, t));
    }

    /** The stats from XLEN, XPENDING, XINFO GROUPS, the retry set's and the dead letters' sizes. */
    private Uni<QueueStats> stats(JobKeys shard,
            Tuple5<Response, Optional<Response>, Optional<Response>, Response, Response> t) {
        long now = System.currentTimeMillis();
        long pendingCount = t.getItem2().map(reply -> reply.get(0).toLong()).orElse(0L);
        double pendingAge = pendingCount == 0 ? 0 : ageSeconds(now, t.getItem2().get().get(1).toString());
        String lastDelivered = t.getItem3().map(QueueReads::lastDelivered).orElse("0-0");
        return redis.command("XRANGE", shard.stream(), "(" + lastDelivered, "+", "COUNT", "1")
                .map(first -> new QueueStats(Math.max(0, t.getItem1().toLong() - pendingCount), pendingCount,
                        first == null || first.size() == 0 ? 0 : ageSeconds(now, first.get(0).get(0).toString()),
                        pendingAge, t.getItem4().toLong(), t.getItem5().toLong()));
    }

    private static Uni<Optional<Response>> ifThere(Uni<Response> read) {
        return read.map(Optional::ofNullable).onFailure(RedisReplyException.class).recoverWithItem(Optional.empty());
    }

    private static String lastDelivered(Response groups) {
        for (Response info : groups) {
            if (JobStore.GROUP.equals(Replies.field(info, "name").toString())) {
                return Replies.field(info, "last-delivered-id").toString();
            }
        }
        return "0-0";
    }

    private static double ageSeconds(long now, String entryId) {
        return Math.max(0, now - StreamItem.millisOf(entryId)) / 1000.0;
    }
}
