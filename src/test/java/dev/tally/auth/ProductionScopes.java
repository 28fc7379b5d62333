package dev.tally.auth;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The production default of {@code tally.auth.anonymous-scopes} (the test profile grants every scope). */
public class ProductionScopes implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("tally.auth.anonymous-scopes", "counters:read");
    }
}
