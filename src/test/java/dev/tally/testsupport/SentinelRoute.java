package dev.tally.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The application behind a real {@link RedisSentinels} set ({@code quarkus.redis.client-type=sentinel}, the
 * sentinels as hosts, the monitored master's name).
 */
public class SentinelRoute extends RedisTopologyRoute {

    public SentinelRoute() {
        super(Resource.class);
    }

    /** With {@code config} on top of the application's: a profile, hence a sentinel set, of its own. */
    protected SentinelRoute(Map<String, String> config) {
        super(Resource.class, config);
    }

    /** Starts the sentinel set when the application of this profile starts, and stops it after. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {

        private RedisSentinels sentinels;

        @Override
        public Map<String, String> start() {
            sentinels = RedisSentinels.start();
            return Map.of("quarkus.redis.client-type", "sentinel", "quarkus.redis.hosts", sentinels.hosts(),
                    "quarkus.redis.master-name", RedisSentinels.MASTER_NAME);
        }

        /** Gives a test's {@code RedisSentinels} field the running set, for tests that kill its master. */
        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(sentinels, new TestInjector.MatchesType(RedisSentinels.class));
        }

        @Override
        public void stop() {
            if (sentinels != null) {
                sentinels.close();
            }
        }
    }
}
