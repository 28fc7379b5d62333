package dev.tally.session;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/** Session ids: 128 random bits from {@link SecureRandom}, base64url without padding (22 characters). */
final class SessionId {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{22}");

    private SessionId() {
    }

    static String generate() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    /**
     * The id carried by a cookie, if it could be one of ours. A malformed value is treated exactly like an unknown
     * one ("no session"), so a forged cookie learns nothing.
     */
    static Optional<String> fromCookie(String cookie) {
        return cookie != null && FORMAT.matcher(cookie).matches() ? Optional.of(cookie) : Optional.empty();
    }
}
