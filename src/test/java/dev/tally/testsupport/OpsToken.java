package dev.tally.testsupport;

import java.security.SecureRandom;
import java.util.HexFormat;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Ops tokens for tests, never written in a committed file: generated at test time like the launcher does
 * ({@code openssl rand -hex 32}: 32 random bytes as 64 hex digits).
 */
public final class OpsToken {

    private static final SecureRandom RANDOM = new SecureRandom();

    private OpsToken() {
    }

    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The token of the running {@code @QuarkusTest} application ({@link OpsTokenTestResource} made it). */
    public static String ofTestApplication() {
        return ConfigProvider.getConfig().getValue("tally.ops.token", String.class);
    }

    /** The {@code Authorization} header's value for {@code token}. */
    public static String bearer(String token) {
        return "Bearer " + token;
    }

    /** The header for the {@code @QuarkusTest} application, as name and value for {@link Http}'s header lists. */
    public static String[] header() {
        return new String[] { "Authorization", bearer(ofTestApplication()) };
    }
}
