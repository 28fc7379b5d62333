package dev.tally.job;

import dev.tally.testsupport.ClusterRoute;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link JobResourceTest} again, on a real Redis Cluster of 3 masters and 3 replicas with the queue in 3 shards
 * (see {@link ClusterRoute}).
 */
@QuarkusTest
@TestProfile(ClusterRoute.class)
class JobResourceOnClusterTest extends JobResourceTest {
}
