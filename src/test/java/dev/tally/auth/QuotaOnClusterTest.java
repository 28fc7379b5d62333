package dev.tally.auth;

import dev.tally.testsupport.ClusterRoute;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link QuotaTest} again, on a real Redis Cluster of 3 masters and 3 replicas: every caller's window counter is a
 * hash tag of its own, so the callers' quotas spread over the masters. Not rerun behind Sentinel, where every
 * command goes to the one master as on a single Redis (the auth path itself runs there in the
 * {@link ProductionScopesOnSentinel} reruns).
 */
@QuarkusTest
@TestProfile(QuotaOnClusterTest.SmallQuotaOnCluster.class)
class QuotaOnClusterTest extends QuotaTest {

    /** {@link QuotaTest.SmallQuota} on {@link ClusterRoute}. */
    public static class SmallQuotaOnCluster extends ClusterRoute {

        public SmallQuotaOnCluster() {
            super(SmallQuota.config());
        }
    }
}
