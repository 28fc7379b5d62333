package dev.tally.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** The application on a real 3+3 {@link RedisCluster} ({@code quarkus.redis.client-type=cluster}), jobs in 3 shards. */
public class ClusterRoute extends RedisTopologyRoute {

    /** The job queue in as many shards as the cluster has masters, as docs/configuration.md advises. */
    static final Map<String, String> CONFIG = Map.of("tally.job.shards", Integer.toString(RedisCluster.MASTERS));

    public ClusterRoute() {
        super(Resource.class, CONFIG);
    }

    /** With {@code more} configuration on top: a profile, hence a cluster, of its own (e.g. a suite's own settings). */
    protected ClusterRoute(Map<String, String> more) {
        super(Resource.class, merged(CONFIG, more));
    }

    /** Starts the cluster when the application of this profile starts, and stops it after. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {

        private RedisCluster cluster;

        @Override
        public Map<String, String> start() {
            cluster = RedisCluster.start();
            return Map.of("quarkus.redis.client-type", "cluster", "quarkus.redis.hosts", cluster.hosts());
        }

        /** Gives a test's {@code RedisCluster} field the running cluster, for tests that kill one of its nodes. */
        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(cluster, new TestInjector.MatchesType(RedisCluster.class));
        }

        @Override
        public void stop() {
            if (cluster != null) {
                cluster.close();
            }
        }
    }
}
