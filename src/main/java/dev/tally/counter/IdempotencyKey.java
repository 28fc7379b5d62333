package dev.tally.counter;

import java.util.regex.Pattern;

import dev.tally.web.ProblemException;

/** The {@code Idempotency-Key} header's rules: UUIDs, ULIDs and base64 tokens fit; braces and spaces do not. */
final class IdempotencyKey {

    static final String HEADER = "Idempotency-Key";
    // No '{' or '}' (they would break the Redis hash tag) and no glob characters (they would leak into SCAN).
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:+/=-]{1,255}");

    private IdempotencyKey() {
    }

    static String require(String key) {
        if (!VALID.matcher(key).matches()) {
            throw ProblemException.badRequest("invalid-idempotency-key",
                    HEADER + " must be 1 to 255 characters from A-Z a-z 0-9 . _ : + / = -");
        }
        return key;
    }
}
