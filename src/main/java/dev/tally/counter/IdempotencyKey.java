package dev.tally.counter;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.tally.web.ProblemException;

/** The {@code Idempotency-Key} header's rules: UUIDs, ULIDs and base64 tokens fit; braces and spaces do not. */
final class IdempotencyKey {

    static final String HEADER = "Idempotency-Key";
    // No '{' or '}' (they would break the Redis hash tag) and no glob characters (they would leak into SCAN).
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:+/=-]{1,255}");

    private IdempotencyKey() {
    }

    /**
     * The key a request carries, if any. Read from the raw header values because a framework-bound parameter
     * turns an empty header into "no header", and a client that sent one expects protection, not silence.
     */
    static Optional<String> from(List<String> values) {
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw ProblemException.badRequest("invalid-idempotency-key", "Send exactly one " + HEADER + " header");
        }
        String key = values.get(0);
        if (key == null || !VALID.matcher(key).matches()) {
            throw ProblemException.badRequest("invalid-idempotency-key",
                    HEADER + " must be 1 to 255 characters from A-Z a-z 0-9 . _ : + / = -");
        }
        return Optional.of(key);
    }
}
