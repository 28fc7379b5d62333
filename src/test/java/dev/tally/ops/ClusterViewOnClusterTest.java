package dev.tally.ops;

import dev.tally.testsupport.ClusterRoute;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link ClusterViewTest} again on a real Redis Cluster of 3 masters and 3 replicas (see {@link ClusterRoute}). */
@QuarkusTest
@TestProfile(ClusterRoute.class)
class ClusterViewOnClusterTest extends ClusterViewTest {
}
