package dev.tally.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives every {@code @QuarkusTest} one real Redis for the whole run (see {@link RedisProvisioner}). A test profile
 * may name a route ({@code route} init argument, e.g. {@link ContainersRoute}) to force it.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

    static final String ROUTE_ARGUMENT = "route";
    private String route;
    private RealRedis redis;

    @Override
    public void init(Map<String, String> initArgs) {
        route = initArgs.get(ROUTE_ARGUMENT);
    }

    @Override
    public Map<String, String> start() {
        redis = route == null ? RedisProvisioner.provide() : RedisProvisioner.route(route);
        return Map.of("quarkus.redis.hosts", redis.url());
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.close();
        }
    }
}
