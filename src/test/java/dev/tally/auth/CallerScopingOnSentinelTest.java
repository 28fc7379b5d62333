package dev.tally.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link CallerScopingTest} again, on a real Sentinel set (see {@link ProductionScopesOnSentinel}). */
@QuarkusTest
@TestProfile(ProductionScopesOnSentinel.class)
class CallerScopingOnSentinelTest extends CallerScopingTest {
}
