package dev.tally.fuzz;

import java.net.URI;
import java.util.Map;

import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisPing;

/**
 * Redis' key count, how many of those keys have no lifetime, and {@code used_memory}, read with INFO, to bound what
 * a run of requests leaves behind.
 */
record RedisUsage(long keys, long persistentKeys, long usedMemory) {

    static RedisUsage of(RealRedis redis) {
        URI url = URI.create(redis.url());
        Map<String, String> keyspace = RedisPing.info(url.getHost(), url.getPort(), "keyspace");
        Map<String, String> memory = RedisPing.info(url.getHost(), url.getPort(), "memory");
        long keys = 0;
        long expiring = 0;
        String db0 = keyspace.get("db0"); // keys=N,expires=M,avg_ttl=T
        if (db0 != null) {
            String[] fields = db0.split(",");
            keys = Long.parseLong(fields[0].substring("keys=".length()));
            expiring = Long.parseLong(fields[1].substring("expires=".length()));
        }
        return new RedisUsage(keys, keys - expiring, Long.parseLong(memory.get("used_memory").trim()));
    }
}
