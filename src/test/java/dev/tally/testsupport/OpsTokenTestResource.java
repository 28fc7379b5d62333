package dev.tally.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Gives every {@code @QuarkusTest} application an ops token generated at test start. It sets
 * {@value #PROPERTY}, which application.properties' {@code %test.tally.ops.token} refers to, rather than the key
 * itself, so that a test profile can still override {@code tally.ops.token} (with no token, for instance) without
 * racing this resource.
 */
public class OpsTokenTestResource implements QuarkusTestResourceLifecycleManager {

    static final String PROPERTY = "test.ops-token";

    @Override
    public Map<String, String> start() {
        return Map.of(PROPERTY, OpsToken.generate());
    }

    @Override
    public void stop() {
        // nothing to release: the token lives only in this run's configuration
    }

    /** Declares the resource once for all {@code @QuarkusTest}s, like {@link UsesRealRedis}. */
    @WithTestResource(value = OpsTokenTestResource.class, scope = TestResourceScope.GLOBAL)
    public static final class Declaration {

        private Declaration() {
        }
    }
}
