package dev.tally.testsupport;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link ClusterRoute} with {@code tally.redis.min-replicas-acked=1}: every change the API answers for waits until
 * the replica of the master that took it has it. A cluster of its own.
 */
public class AckedClusterRoute extends RedisTopologyRoute {

    public AckedClusterRoute() {
        super(ClusterRoute.Resource.class, withAcknowledgement());
    }

    private static Map<String, String> withAcknowledgement() {
        Map<String, String> config = new HashMap<>(ClusterRoute.CONFIG);
        config.put("tally.redis.min-replicas-acked", "1");
        return config;
    }
}
