package dev.tally.session;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Plain HTTP (no Secure cookie, so no {@code __Host-} prefix) and sessions that live 10 min at most, however used. */
public class ShortLivedPlainSessions implements QuarkusTestProfile {

    static final long MAX_LIFETIME_MILLIS = 600_000;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("tally.session.cookie-secure", "false",
                "tally.session.max-lifetime", MAX_LIFETIME_MILLIS + "ms");
    }
}
