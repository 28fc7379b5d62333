package dev.tally.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

import jakarta.inject.Singleton;

import dev.tally.redis.JobKeys;
import dev.tally.redis.Keys;
import dev.tally.redis.RedisGateway;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * Which shards the job queue has. New jobs go to this replica's layout ({@code tally.job.shards}); workers,
 * statistics and the dead-letter list cover every shard of every layout any replica has used, which Redis
 * remembers ({@link Keys#jobLayouts}): after the count changes (a rolling deploy, a rollback), jobs queued under
 * the old count are still run, listed and counted.
 */
@Singleton
public class JobShards {

    private final RedisGateway redis;
    private final Keys keys;
    private final int count;
    private final List<JobShard> layout;
    private final Map<JobShard, JobKeys> keysByShard = new ConcurrentHashMap<>();
    private volatile List<JobShard> known;

    public JobShards(RedisGateway redis, Keys keys, JobSettings settings) {
        if (settings.shards() < 1 || settings.shards() > Keys.MAX_JOB_SHARDS) {
            throw new IllegalArgumentException(
                    "tally.job.shards must be 1-" + Keys.MAX_JOB_SHARDS + ": " + settings.shards());
        }
        this.redis = redis;
        this.keys = keys;
        this.count = settings.shards();
        this.layout = layoutOf(count);
        this.known = layout;
    }

    /** The shards new jobs go to. */
    List<JobShard> layout() {
        return layout;
    }

    /** This replica's layout's shards, starting at a random one: where a submit tries, in order. */
    List<JobShard> submitOrder() {
        int first = ThreadLocalRandom.current().nextInt(count);
        return IntStream.range(0, count).mapToObj(i -> layout.get((first + i) % count)).toList();
    }

    /** Every shard as of the last {@link #discover()}: this replica's layout at least. */
    List<JobShard> known() {
        return known;
    }

    /**
     * Learns every layout used and records this replica's own if Redis lacks it; the item is {@link #known()}. One
     * read in the steady state, the write only the first time (or after the key was lost).
     */
    Uni<List<JobShard>> discover() {
        String own = Integer.toString(count);
        return redis.command("ZRANGE", keys.jobLayouts(), "0", "-1").flatMap(reply -> {
            TreeSet<JobShard> all = new TreeSet<>(layout);
            boolean recorded = false;
            for (Response member : reply) {
                int used = parseCount(member.toString());
                recorded |= used == count;
                if (used > 0) {
                    all.addAll(layoutOf(used));
                }
            }
            known = List.copyOf(all);
            Uni<Response> record = recorded ? Uni.createFrom().nullItem()
                    : redis.command("ZADD", keys.jobLayouts(), own, own);
            return record.replaceWith(known);
        });
    }

    JobKeys keys(JobShard shard) {
        return keysByShard.computeIfAbsent(shard, s -> keys.jobShard(s.count(), s.index()));
    }

    /** The keys of a job's shard; {@code jobId} has been validated ({@link JobId#isValid}). */
    JobKeys keysOf(String jobId) {
        return keys(JobId.shardOf(jobId).orElseThrow(() -> new IllegalArgumentException("not a job id: " + jobId)));
    }

    private static List<JobShard> layoutOf(int count) {
        List<JobShard> shards = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            shards.add(new JobShard(count, i));
        }
        return List.copyOf(shards);
    }

    /** A layout's count as stored, or 0 for a member that is not one (nothing of Tally's writes such a member). */
    private static int parseCount(String field) {
        try {
            int used = Integer.parseInt(field);
            return used >= 1 && used <= Keys.MAX_JOB_SHARDS ? used : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
