package dev.tally.job;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ClusterRoute;
import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.RedisCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;

/**
 * {@link JobShardsTest} again on the real 3+3 Cluster, where the application's queue has 3 shards
 * ({@link ClusterRoute}), and the queue at volume: 1,000 jobs over the API all succeed, spread over the 3 shards,
 * whose keys live on the 3 masters.
 */
@QuarkusTest
@TestProfile(ClusterRoute.class)
class JobShardsOnClusterTest extends JobShardsTest {

    private static final int JOBS = 1000;
    private static final Duration LIMIT = Duration.ofSeconds(180);

    @Inject
    JobShards shards;

    /** Set by {@link ClusterRoute.Resource}. */
    RedisCluster cluster;

    @Test
    void aThousandJobsAllSucceedOnEveryShardAndEveryMaster() {
        List<JobShard> layout = shards.layout();
        assertEquals(3, layout.size(), "ClusterRoute runs the queue in 3 shards");
        AtomicInteger refused = new AtomicInteger();
        List<String> ids = Concurrently.run(JOBS, 16, LIMIT, i -> submitRetrying(refused));
        assertEquals(JOBS, ids.stream().distinct().count());
        awaitAllSucceeded(ids);
        Map<JobShard, Long> perShard = perShard(ids);
        assertEquals(Set.copyOf(layout), perShard.keySet(), "every shard carried some: " + perShard);
        Set<String> masters = layout.stream().map(shard -> cluster.masterOf(shards.keys(shard).stream()).address())
                .collect(Collectors.toSet());
        assertEquals(RedisCluster.MASTERS, masters.size(), "the 3 shards are on the 3 masters: " + masters);
        // On a machine this loaded a submit can time out in Redis: a 503 with Retry-After, which a client retries.
        System.out.printf("1,000 jobs on the cluster: %s per shard, %d submits answered 503 and retried%n", perShard,
                refused.get());
    }

    /** One submit as a client makes it: a 503 (Redis slower than the command timeout) is retried. */
    private static String submitRetrying(AtomicInteger refused) {
        for (int attempt = 1;; attempt++) {
            var response = given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when()
                    .post("/api/v1/jobs");
            if (response.statusCode() == 202) {
                return response.jsonPath().getString("id");
            }
            assertEquals(503, response.statusCode(), response.asString());
            assertTrue(attempt < 10, "10 submits in a row answered 503");
            refused.incrementAndGet();
            Pause.of(Duration.ofMillis(200));
        }
    }

    /** Reads the records (not the API, which the rerun of JobResourceTest covers) until every job succeeded. */
    private void awaitAllSucceeded(List<String> ids) {
        Set<String> open = new HashSet<>(ids);
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!open.isEmpty()) {
            List<String> batch = List.copyOf(open);
            // A read that times out on the loaded machine is simply read again in the next pass.
            List<JobRecord> records = Uni.join().all(batch.stream()
                    .map(id -> store.get(id).onFailure().recoverWithNull()).toList()).andFailFast().await().atMost(LIMIT);
            for (int i = 0; i < batch.size(); i++) {
                if (records.get(i) != null && records.get(i).status() == JobStatus.SUCCEEDED) {
                    open.remove(batch.get(i));
                }
            }
            assertTrue(open.isEmpty() || System.nanoTime() < deadline, open.size() + " jobs not succeeded in time");
            Pause.of(Duration.ofMillis(500));
        }
    }
}
