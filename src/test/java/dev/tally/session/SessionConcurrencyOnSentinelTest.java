package dev.tally.session;

import dev.tally.testsupport.SentinelRoute;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link SessionConcurrencyTest} again, on a real Sentinel set (a master, 2 replicas, 3 sentinels) (see {@link SentinelRoute}). */
@QuarkusTest
@TestProfile(SentinelRoute.class)
class SessionConcurrencyOnSentinelTest extends SessionConcurrencyTest {
}
