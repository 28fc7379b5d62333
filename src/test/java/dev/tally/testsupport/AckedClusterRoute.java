package dev.tally.testsupport;

import java.util.Map;

/**
 * {@link ClusterRoute} with {@code tally.redis.min-replicas-acked=1}: every change the API answers for waits until
 * the replica of the master that took it has it. A cluster of its own.
 */
public class AckedClusterRoute extends ClusterRoute {

    public AckedClusterRoute() {
        super(Map.of("tally.redis.min-replicas-acked", "1"));
    }
}
