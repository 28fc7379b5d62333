package dev.tally.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link AccessByScopeTest} again, on a real Redis Cluster of 3 masters and 3 replicas
 * ({@link ProductionScopesOnCluster}).
 */
@QuarkusTest
@TestProfile(ProductionScopesOnCluster.class)
class AccessByScopeOnClusterTest extends AccessByScopeTest {
}
