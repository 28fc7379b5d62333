package dev.tally.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * A job record's retention runs from its last change, and a running job changes nothing until it ends: the claim
 * renewals must keep its record alive, or a job that runs longer than {@code tally.job.retention} finishes with no
 * record to report to (its outcome lost, its entry left pending). Here the retention is 3 s and the job runs 6 s.
 */
@QuarkusTest
@TestProfile(JobRetentionTest.ShortRetention.class)
class JobRetentionTest {

    public static class ShortRetention implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Renewals every 500 ms (a third of the visibility timeout), six times within one retention.
            return Map.of("tally.job.retention", "3s", "tally.job.worker.visibility-timeout", "1500ms");
        }
    }

    @Test
    void aJobRunningLongerThanTheRetentionKeepsItsRecordAndReportsItsOutcome() {
        long started = System.nanoTime();
        String id = JobResourceTest.submit("sleep", "{\"ms\": 6000}");

        JsonPath done = JobResourceTest.awaitStatus(id, "succeeded");

        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 6000, "the job really ran 6 s");
        assertEquals(6000, done.getInt("result.sleptMs"));
    }

    @Test
    void aRetentionThatCannotOutliveATakeoverIsRefusedAtStart() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(JobSettings.class)
                .withConverter(Duration.class, 100, new DurationConverter()) // "30s", as Quarkus reads it
                .withDefaultValue("tally.job.retention", "30s")
                .withDefaultValue("tally.job.worker.visibility-timeout", "30s").build();

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new JobStore(null, null, config.getConfigMapping(JobSettings.class)));

        assertTrue(refused.getMessage().contains("tally.job.worker.visibility-timeout"), refused.getMessage());
    }
}
