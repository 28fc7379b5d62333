package dev.tally.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tally.redis.Keys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;

/**
 * Shards other replicas use: this application runs with its configured {@code tally.job.shards}, and the test
 * does what a replica with another count does (it records its layout, {@link JobShards#discover}, and queues
 * jobs on that layout's shards, {@link JobStore#submit(JobShard, String, String, String, long)}).
 */
@QuarkusTest
class JobShardsTest {

    /** Counts no test application is configured with: the shards of an earlier, or another replica's, layout. */
    private static final int OLD_LAYOUT = 5;
    private static final int OTHER_LAYOUT = 2;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    JobStore store;

    @Inject
    Keys keys;

    @Inject
    RedisDataSource redis;

    @AfterEach
    void forgetTheOtherLayouts() {
        redis.execute("ZREM", keys.jobLayouts(), Integer.toString(OLD_LAYOUT), Integer.toString(OTHER_LAYOUT));
    }

    /** Replicas with 5 shards queued jobs and were replaced by this one: every job still runs, none is lost. */
    @Test
    void jobsOnTheShardsOfAnEarlierCountAreAllRun() {
        useLayout(OLD_LAYOUT);
        List<String> ids = submit(100, i -> new JobShard(OLD_LAYOUT, i % OLD_LAYOUT), "noop", "{}");
        for (String id : ids) {
            JobResourceTest.awaitStatus(id, "succeeded", WAIT);
        }
        assertEquals(100, ids.stream().distinct().count());
        Map<JobShard, Long> perShard = perShard(ids);
        assertEquals(OLD_LAYOUT, perShard.size(), perShard.toString());
        perShard.values().forEach(count -> assertEquals(20L, count, perShard.toString()));
    }

    /**
     * One shard holds a backlog of 96 jobs of 250 ms (six rounds of the worker's 16 slots) when one job arrives on
     * another: it must not wait for the backlog. A worker that always read the first shard first would start it
     * after all 96.
     */
    @Test
    void aShardWithABacklogDoesNotStarveAnother() {
        useLayout(OTHER_LAYOUT);
        List<String> backlog = submit(96, i -> new JobShard(OTHER_LAYOUT, 0), "sleep", "{\"ms\": 250}");
        String alone = submit(1, i -> new JobShard(OTHER_LAYOUT, 1), "noop", "{}").getFirst();
        Instant aloneStarted = Instant.parse(JobResourceTest.awaitStatus(alone, "succeeded", WAIT)
                .getString("startedAt"));
        long startedAfter = 0;
        for (String id : backlog) {
            JsonPath done = JobResourceTest.awaitStatus(id, "succeeded", WAIT);
            if (Instant.parse(done.getString("startedAt")).isAfter(aloneStarted)) {
                startedAfter++;
            }
        }
        assertTrue(startedAfter >= 48, "the lone job started before only " + startedAfter
                + " of the 96 jobs of the other shard's backlog; at least half were still waiting");
    }

    /** What a replica configured with {@code count} shards does at start (and every stats interval). */
    private void useLayout(int count) {
        redis.execute("ZADD", keys.jobLayouts(), Integer.toString(count), Integer.toString(count));
    }

    /** Queues {@code count} jobs at once, job {@code i} on {@code shardOf(i)}; their ids in order. */
    private List<String> submit(int count, java.util.function.IntFunction<JobShard> shardOf, String type,
            String payload) {
        List<Uni<String>> submits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            submits.add(store.submit(shardOf.apply(i), type, payload, "test", System.currentTimeMillis()));
        }
        return Uni.join().all(submits).andFailFast().await().atMost(WAIT);
    }

    static Map<JobShard, Long> perShard(List<String> ids) {
        return ids.stream().collect(Collectors.groupingBy(id -> JobId.shardOf(id).orElseThrow(), TreeMap::new,
                Collectors.counting()));
    }
}
