package dev.tally.testsupport;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The test profile of the Testcontainers route: the application gets its Redis from Testcontainers whatever
 * {@code TALLY_TEST_ROUTE} says (CI sets {@code binaries} for the main suite), so every CI run proves both routes.
 * Classes with this profile carry {@link RunsOnContainers}, which skips them where no Docker engine answers.
 */
public class ContainersRoute implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RedisTestResource.class,
                Map.of(RedisTestResource.ROUTE_ARGUMENT, "containers")),
                new TestResourceEntry(OpsTokenTestResource.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true; // not the suite's Redis from UsesRealRedis: only this route's (and a token of its own)
    }
}
