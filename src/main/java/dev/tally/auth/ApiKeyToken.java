package dev.tally.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key a client presents: {@code tally.<id>.<secret>}, base64url. The id (72 random bits) finds the record
 * with one Redis lookup and is no secret; the secret (256 random bits, SecureRandom) is never stored, only its
 * SHA-256. A plain hash suffices: the secret is random and long, so there is nothing to guess from the hash.
 */
record ApiKeyToken(String id, String secret) {

    private static final String PREFIX = "tally.";
    private static final int ID_BYTES = 9;
    private static final int SECRET_BYTES = 32;
    private static final Pattern SHAPE = Pattern.compile("tally\\.([A-Za-z0-9_-]{12})\\.([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    static ApiKeyToken generate() {
        return new ApiKeyToken(random(ID_BYTES), random(SECRET_BYTES));
    }

    /** A presented key in the right shape; empty otherwise (nothing is looked up for it). */
    static Optional<ApiKeyToken> parse(String text) {
        Matcher matcher = SHAPE.matcher(text);
        return matcher.matches() ? Optional.of(new ApiKeyToken(matcher.group(1), matcher.group(2))) : Optional.empty();
    }

    /** What the client sends after {@code Bearer }. */
    String text() {
        return PREFIX + id + "." + secret;
    }

    /** The stored form: SHA-256 of the secret, base64url. */
    String hash() {
        return BASE64URL.encodeToString(digest(secret));
    }

    /** Whether this secret is the one {@code storedHash} was made from, in time independent of where they differ. */
    boolean matches(String storedHash) {
        byte[] stored;
        try {
            stored = Base64.getUrlDecoder().decode(storedHash);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(stored, digest(secret));
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return BASE64URL.encodeToString(value);
    }

    @Override
    public String toString() {
        return "ApiKeyToken[id=" + id + "]"; // never the secret, in a log or a debugger
    }
}
