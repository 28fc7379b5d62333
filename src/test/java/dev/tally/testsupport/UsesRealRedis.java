package dev.tally.testsupport;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Declares the real Redis once for all {@code @QuarkusTest}s (global scope: one Quarkus start for the suite). */
@WithTestResource(value = RedisTestResource.class, scope = TestResourceScope.GLOBAL)
public final class UsesRealRedis {

    private UsesRealRedis() {
    }
}
