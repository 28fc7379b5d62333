package dev.tally.ops;

import dev.tally.testsupport.SentinelRoute;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link ClusterViewTest} again behind a real Sentinel set (see {@link SentinelRoute}). */
@QuarkusTest
@TestProfile(SentinelRoute.class)
class ClusterViewOnSentinelTest extends ClusterViewTest {
}
