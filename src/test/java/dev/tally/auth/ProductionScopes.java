package dev.tally.auth;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The production default of {@code tally.auth.anonymous-scopes} (the test profile grants every scope). */
public class ProductionScopes implements QuarkusTestProfile {

    static final Map<String, String> CONFIG = Map.of("tally.auth.anonymous-scopes", "counters:read");

    @Override
    public Map<String, String> getConfigOverrides() {
        return CONFIG;
    }
}
