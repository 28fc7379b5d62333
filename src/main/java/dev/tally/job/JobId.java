package dev.tally.job;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Job ids: 128 random bits, base64url without padding (22 characters), like session ids. */
final class JobId {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{22}");

    private JobId() {
    }

    static String generate() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    /** Anything else cannot name a job: answered as "no such job", and never used to build a key. */
    static boolean isValid(String id) {
        return id != null && SHAPE.matcher(id).matches();
    }
}
