package dev.tally.job;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * {@code tally.job.max-outstanding} over shards: 30 over 3 shards is 10 per shard, and a submit that draws a full
 * shard tries the others, so exactly 30 jobs are accepted and the 31st is refused. An api replica (no worker) on
 * a key space of its own keeps them queued.
 */
@QuarkusTest
@TestProfile(OutstandingBoundTest.ThreeShardsOfTen.class)
class OutstandingBoundTest {

    public static class ThreeShardsOfTen implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tally.role", "api", "tally.job.shards", "3", "tally.job.max-outstanding", "30",
                    "tally.redis.key-prefix", "bound:");
        }
    }

    @Inject
    QueueReads reads;

    @Test
    void theBoundHoldsOverEveryShardAndOnlyAFullQueueRefuses() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // Without the fall-back to the next shard, a random shard is full long before the 30th submit.
            ids.add(given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when().post("/api/v1/jobs")
                    .then().statusCode(202).extract().jsonPath().getString("id"));
        }
        assertEquals(Map.of(new JobShard(3, 0), 10L, new JobShard(3, 1), 10L, new JobShard(3, 2), 10L),
                JobShardsTest.perShard(ids));
        Response refused = given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when()
                .post("/api/v1/jobs");
        assertProblem(refused, 503, tally("job-queue-full"));
        assertNotNull(refused.header("Retry-After"));
        // The queue's statistics add up the shards.
        assertEquals(30, reads.stats().await().atMost(Duration.ofSeconds(10)).queued());
    }
}
