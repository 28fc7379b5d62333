package dev.tally.session;

import dev.tally.testsupport.ClusterRoute;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link SessionResourceTest} again, on a real Redis Cluster of 3 masters and 3 replicas (see {@link ClusterRoute}). */
@QuarkusTest
@TestProfile(ClusterRoute.class)
class SessionResourceOnClusterTest extends SessionResourceTest {
}
