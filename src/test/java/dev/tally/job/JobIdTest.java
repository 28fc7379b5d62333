package dev.tally.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** A job id names its shard: bare (22 characters) for a layout of one, {@code .COUNT.INDEX} after it otherwise. */
class JobIdTest {

    private static final String RANDOM = "AbCdEfGhIjKlMnOpQrSt_-";

    @Test
    void anIdTellsItsShard() {
        for (JobShard shard : new JobShard[] { new JobShard(1, 0), new JobShard(2, 1), new JobShard(3, 0),
                new JobShard(1024, 1023) }) {
            String id = JobId.generate(shard);
            assertEquals(Optional.of(shard), JobId.shardOf(id), id);
        }
        assertEquals(22, JobId.generate(new JobShard(1, 0)).length(), "one shard: ids as before shards");
        assertEquals(Optional.of(new JobShard(3, 2)), JobId.shardOf(RANDOM + ".3.2"));
    }

    @Test
    void anythingElseNamesNoJob() {
        for (String id : new String[] { RANDOM + ".1.0", RANDOM + ".3.3", RANDOM + ".03.1", RANDOM + ".3.01",
                RANDOM + ".1025.0", RANDOM + ".3", RANDOM + ".3.", RANDOM + "x", RANDOM.substring(1), "",
                RANDOM + ".3.1/x", null }) {
            assertFalse(JobId.isValid(id), String.valueOf(id));
        }
    }
}
