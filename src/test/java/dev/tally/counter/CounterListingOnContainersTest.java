package dev.tally.counter;

import dev.tally.testsupport.ContainersRoute;
import dev.tally.testsupport.RunsOnContainers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link CounterListingTest} again, on the Testcontainers route (see {@link ContainersRoute}). */
@RunsOnContainers
@QuarkusTest
@TestProfile(ContainersRoute.class)
class CounterListingOnContainersTest extends CounterListingTest {
}
