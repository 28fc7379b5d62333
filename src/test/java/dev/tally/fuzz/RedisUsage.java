package dev.tally.fuzz;

import java.net.URI;
import java.util.Map;

import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisPing;

/** Redis' key count and {@code used_memory}, read with INFO, to bound what a run of requests leaves behind. */
record RedisUsage(long keys, long usedMemory) {

    static RedisUsage of(RealRedis redis) {
        URI url = URI.create(redis.url());
        Map<String, String> keyspace = RedisPing.info(url.getHost(), url.getPort(), "keyspace");
        Map<String, String> memory = RedisPing.info(url.getHost(), url.getPort(), "memory");
        long keys = 0;
        String db0 = keyspace.get("db0");
        if (db0 != null) {
            keys = Long.parseLong(db0.split(",")[0].substring("keys=".length()));
        }
        return new RedisUsage(keys, Long.parseLong(memory.get("used_memory").trim()));
    }
}
