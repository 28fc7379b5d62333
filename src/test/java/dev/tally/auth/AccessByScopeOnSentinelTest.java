package dev.tally.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link AccessByScopeTest} again, on a real Sentinel set (see {@link ProductionScopesOnSentinel}). */
@QuarkusTest
@TestProfile(ProductionScopesOnSentinel.class)
class AccessByScopeOnSentinelTest extends AccessByScopeTest {
}
