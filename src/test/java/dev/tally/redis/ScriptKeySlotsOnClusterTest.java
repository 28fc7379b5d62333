package dev.tally.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ClusterRoute;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A script runs on one node of a Redis Cluster, so the keys it is given (and the shard channel it publishes on) must
 * hash to one slot. For every script
 * with more than one key (the stores' calls name the same groups), the real cluster's {@code CLUSTER KEYSLOT} says
 * they do; a group that did not would be refused with CROSSSLOT.
 */
@QuarkusTest
@TestProfile(ClusterRoute.class)
class ScriptKeySlotsOnClusterTest {

    @Inject
    Keys keys;

    @Inject
    RedisDataSource redis;

    private Set<Long> slots(List<String> group) {
        return group.stream().map(key -> redis.execute("CLUSTER", "KEYSLOT", key).toLong())
                .collect(Collectors.toSet());
    }

    @Test
    void everyMultiKeyScriptsKeysShareOneSlot() {
        String counter = "a.b:c-9_";
        String job = "01J0000000000000000000000";
        String otherJob = "01J0000000000000000000001";
        JobKeys jobs = keys.jobShard(3, 2); // every shard's keys are made alike
        Map<String, List<String>> groups = new TreeMap<>(Map.of(
                // With the shard channel each change is announced on (SPUBLISH inside the script).
                "counter_increment, counter_reset", List.of(keys.counterValue(counter), keys.counterVersion(counter),
                        keys.counterChanges(counter)),
                "counter_increment_once", List.of(keys.counterValue(counter),
                        keys.counterIdempotency(counter, "key-abc", "retry/1+="), keys.counterVersion(counter),
                        keys.counterChanges(counter)),
                "job_submit", List.of(jobs.stream(), jobs.job(job)),
                // With the record of the next job it takes: the prefix it is named from, and such a key.
                "job_finish", List.of(jobs.stream(), jobs.job(job), jobs.deadLetters(), jobs.jobPrefix(),
                        jobs.job(otherJob)),
                "job_cancel", List.of(jobs.job(job), jobs.retries()),
                "job_start", List.of(jobs.stream(), jobs.job(job), jobs.deadLetters()),
                "job_retry, job_requeue", List.of(jobs.stream(), jobs.job(job), jobs.retries(), jobs.deadLetters()),
                "job_renew", List.of(jobs.stream(), jobs.job(job), jobs.job(otherJob)),
                "auth_create, auth_revoke", List.of(keys.apiKeyNames(), keys.apiKey("k1")),
                "replica_publish", List.of(keys.replicaIndex(), keys.replicaSnapshot("host-1"))));
        Map<String, Set<Long>> spread = new TreeMap<>();
        groups.forEach((scripts, group) -> {
            Set<Long> slots = slots(group);
            if (slots.size() != 1) {
                spread.put(scripts, slots);
            }
        });
        assertEquals(Map.of(), spread, "scripts whose keys span several slots");
    }
}
