package dev.tally.job;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ClusterRoute;
import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.RedisCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * {@link JobShardsTest} again on the real 3+3 Cluster, where the application's queue has 3 shards
 * ({@link ClusterRoute}), and the queue at volume: 1,000 jobs over the API all succeed, spread over the 3 shards,
 * whose keys live on the 3 masters.
 */
@QuarkusTest
@TestProfile(ClusterRoute.class)
class JobShardsOnClusterTest extends JobShardsTest {

    private static final int JOBS = 1000;

    @Inject
    JobShards shards;

    /** Set by {@link ClusterRoute.Resource}. */
    RedisCluster cluster;

    @Test
    void aThousandJobsAllSucceedOnEveryShardAndEveryMaster() {
        List<JobShard> layout = shards.layout();
        assertEquals(3, layout.size(), "ClusterRoute runs the queue in 3 shards");
        List<String> ids = Concurrently.run(JOBS, 16, Duration.ofSeconds(120), i -> given()
                .contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when().post("/api/v1/jobs")
                .then().statusCode(202).extract().jsonPath().getString("id"));
        for (String id : ids) {
            JobResourceTest.awaitStatus(id, "succeeded", Duration.ofSeconds(120));
        }
        assertEquals(JOBS, ids.stream().distinct().count());
        Map<JobShard, Long> perShard = perShard(ids);
        assertEquals(Set.copyOf(layout), perShard.keySet(), "every shard carried some: " + perShard);
        Set<String> masters = layout.stream().map(shard -> cluster.masterOf(shards.keys(shard).stream()).address())
                .collect(Collectors.toSet());
        assertEquals(RedisCluster.MASTERS, masters.size(), "the 3 shards are on the 3 masters: " + masters);
    }
}
