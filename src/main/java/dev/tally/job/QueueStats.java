package dev.tally.job;

import dev.tally.redis.RedisGateway;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The queue as Redis sees it, shared by every replica. {@code queued} entries wait for a first delivery;
 * {@code pending} ones are delivered and not yet acknowledged (running, or held by a worker that died). Ages are
 * measured from the entry's id, i.e. from when it was queued; the oldest queued age is the queue's lag.
 */
record QueueStats(long queued, long pending, double oldestQueuedAgeSeconds, double oldestPendingAgeSeconds,
        long retrying, long deadLetters) {

    static final QueueStats EMPTY = new QueueStats(0, 0, 0, 0, 0, 0);

    static Uni<QueueStats> sample(RedisGateway redis, String stream, String group, String retries, String dead) {
        Uni<Response> length = redis.command("XLEN", stream);
        Uni<Response> pending = redis.command("XPENDING", stream, group);
        Uni<Response> groups = redis.command("XINFO", "GROUPS", stream);
        Uni<Response> retrying = redis.command("ZCARD", retries);
        Uni<Response> deadLetters = redis.command("XLEN", dead);
        return Uni.combine().all().unis(length, pending, groups, retrying, deadLetters).asTuple()
                .flatMap(t -> {
                    long now = System.currentTimeMillis();
                    long pendingCount = t.getItem2().get(0).toLong();
                    double pendingAge = pendingCount == 0 ? 0 : age(now, t.getItem2().get(1).toString());
                    String lastDelivered = lastDelivered(t.getItem3(), group);
                    Uni<Response> firstQueued = redis.command("XRANGE", stream, "(" + lastDelivered, "+", "COUNT", "1");
                    return firstQueued.map(first -> new QueueStats(
                            Math.max(0, t.getItem1().toLong() - pendingCount), pendingCount,
                            first == null || first.size() == 0 ? 0 : age(now, first.get(0).get(0).toString()),
                            pendingAge, t.getItem4().toLong(), t.getItem5().toLong()));
                });
    }

    private static String lastDelivered(Response groups, String group) {
        for (Response info : groups) {
            if (group.equals(Replies.field(info, "name").toString())) {
                return Replies.field(info, "last-delivered-id").toString();
            }
        }
        return "0-0";
    }

    private static double age(long now, String entryId) {
        return Math.max(0, now - Replies.entryMillis(entryId)) / 1000.0;
    }
}
