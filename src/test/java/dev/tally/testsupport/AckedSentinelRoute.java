package dev.tally.testsupport;

import java.util.Map;

/**
 * {@link SentinelRoute} with {@code tally.redis.min-replicas-acked=1}: every change the API answers for waits until
 * one of the master's two replicas has it. A sentinel set of its own.
 */
public class AckedSentinelRoute extends RedisTopologyRoute {

    public AckedSentinelRoute() {
        super(SentinelRoute.Resource.class, Map.of("tally.redis.min-replicas-acked", "1"));
    }
}
