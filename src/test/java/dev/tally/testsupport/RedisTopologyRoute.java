package dev.tally.testsupport;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A test profile that runs the application on a Redis topology of its own ({@link ClusterRoute},
 * {@link SentinelRoute}) instead of the suite's single Redis: a {@code *OnClusterTest} or {@code *OnSentinelTest}
 * class reruns a suite unchanged there. Classes with one profile share one application start, hence one cluster
 * or sentinel set for all of them (Quarkus orders test classes by profile).
 */
abstract class RedisTopologyRoute implements QuarkusTestProfile {

    private final Class<? extends QuarkusTestResourceLifecycleManager> topology;
    private final Map<String, String> config;

    RedisTopologyRoute(Class<? extends QuarkusTestResourceLifecycleManager> topology) {
        this(topology, Map.of());
    }

    /** With {@code config} on top of the application's: a profile of its own, hence a start of its own. */
    RedisTopologyRoute(Class<? extends QuarkusTestResourceLifecycleManager> topology, Map<String, String> config) {
        this.topology = topology;
        this.config = Map.copyOf(config);
    }

    /** {@code base} with {@code more} on top. */
    static Map<String, String> merged(Map<String, String> base, Map<String, String> more) {
        Map<String, String> config = new HashMap<>(base);
        config.putAll(more);
        return config;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return config;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(topology), new TestResourceEntry(OpsTokenTestResource.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true; // not the suite's Redis from UsesRealRedis: only this topology (and a token of its own)
    }
}
