package dev.tally.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link ApiKeyManagementTest} again, on a real Sentinel set (see {@link ProductionScopesOnSentinel}). */
@QuarkusTest
@TestProfile(ProductionScopesOnSentinel.class)
class ApiKeyManagementOnSentinelTest extends ApiKeyManagementTest {
}
