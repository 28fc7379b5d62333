package dev.tally.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Where the job shards' keys land: today's keys for a single shard, and shard i of n in the i-th n-th of the slots. */
class JobShardKeysTest {

    private static final Keys KEYS = new Keys((RedisSettings) Proxy.newProxyInstance(
            RedisSettings.class.getClassLoader(), new Class<?>[] { RedisSettings.class },
            (proxy, method, args) -> method.getName().equals("keyPrefix") ? "tally:" : null));

    @Test
    void theOneShardOfALayoutOfOneKeepsTheKeysJobsHadBeforeShards() {
        JobKeys only = KEYS.jobShard(1, 0);
        assertEquals("tally:{jobs}:stream", only.stream());
        assertEquals("tally:{jobs}:retries", only.retries());
        assertEquals("tally:{jobs}:dead", only.deadLetters());
        assertEquals("tally:{jobs}:job:abc", only.job("abc"));
        assertEquals("tally:{jobs}:layouts", KEYS.jobLayouts());
    }

    @Test
    void shardIOfNLiesInTheIthNthOfTheSlotsSoAnEvenClusterGetsAsManyShardsPerMaster() {
        for (int count : new int[] { 2, 3, 6, 7, 16, 100, Keys.MAX_JOB_SHARDS }) {
            Set<String> tags = new HashSet<>();
            for (int index = 0; index < count; index++) {
                JobKeys shard = KEYS.jobShard(count, index);
                int slot = HashSlots.slot(shard.stream());
                assertTrue(slot >= index * 16384L / count && slot < (index + 1) * 16384L / count,
                        "shard " + index + " of " + count + " in slot " + slot);
                assertEquals(slot, HashSlots.slot(shard.job("x")));
                assertEquals(slot, HashSlots.slot(shard.retries()));
                assertEquals(slot, HashSlots.slot(shard.deadLetters()));
                tags.add(shard.stream());
            }
            assertEquals(count, tags.size());
        }
        // On the 3+3 test cluster (redis-cli's even split: 0-5460, 5461-10922, 10923-16383) three shards, three masters.
        assertEquals(Set.of(0, 1, 2), Set.of(master(KEYS.jobShard(3, 0)), master(KEYS.jobShard(3, 1)),
                master(KEYS.jobShard(3, 2))));
    }

    @Test
    void noShardOutsideTheLayout() {
        assertThrows(IllegalArgumentException.class, () -> KEYS.jobShard(3, 3));
        assertThrows(IllegalArgumentException.class, () -> KEYS.jobShard(0, 0));
        assertThrows(IllegalArgumentException.class, () -> KEYS.jobShard(Keys.MAX_JOB_SHARDS + 1, 0));
    }

    private static int master(JobKeys shard) {
        int slot = HashSlots.slot(shard.stream());
        return slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2;
    }
}
