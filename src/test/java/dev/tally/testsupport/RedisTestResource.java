package dev.tally.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Gives every {@code @QuarkusTest} one real Redis for the whole run (see {@link RedisProvisioner}). */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

    private RealRedis redis;

    @Override
    public Map<String, String> start() {
        redis = RedisProvisioner.provide();
        return Map.of("quarkus.redis.hosts", redis.url());
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.close();
        }
    }
}
