package dev.tally.job;

import dev.tally.testsupport.SentinelRoute;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link JobResourceTest} again, on a real Sentinel set (a master, 2 replicas, 3 sentinels) (see {@link SentinelRoute}). */
@QuarkusTest
@TestProfile(SentinelRoute.class)
class JobResourceOnSentinelTest extends JobResourceTest {
}
