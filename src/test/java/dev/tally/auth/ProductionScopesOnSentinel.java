package dev.tally.auth;

import dev.tally.testsupport.SentinelRoute;

/**
 * {@link ProductionScopes} behind a real Sentinel set (a master, two replicas, three sentinels; {@link SentinelRoute}):
 * the auth suites' reruns there share this one profile, hence one application start.
 */
public class ProductionScopesOnSentinel extends SentinelRoute {

    public ProductionScopesOnSentinel() {
        super(ProductionScopes.CONFIG);
    }
}
