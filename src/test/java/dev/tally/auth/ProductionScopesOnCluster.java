package dev.tally.auth;

import dev.tally.testsupport.ClusterRoute;

/**
 * {@link ProductionScopes} on a real Redis Cluster of 3 masters and 3 replicas ({@link ClusterRoute}): the
 * auth suites' reruns there share this one profile, hence one application start.
 */
public class ProductionScopesOnCluster extends ClusterRoute {

    public ProductionScopesOnCluster() {
        super(ProductionScopes.CONFIG);
    }
}
