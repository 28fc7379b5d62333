package dev.tally.counter;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.tally.web.ProblemException;

/**
 * Where a listing stopped: a Redis SCAN cursor plus how many matches of that SCAN batch were already returned.
 * SCAN batches do not respect a page size, so a page may end in the middle of one; {@code skip} resumes there.
 * Sent to clients as an opaque base64url token.
 */
record ListCursor(String scanCursor, int skip) {

    static final ListCursor START = new ListCursor("0", 0);
    private static final Pattern FORMAT = Pattern.compile("v1:(\\d{1,20}):(\\d{1,9})");

    String encode() {
        String plain = "v1:" + scanCursor + ":" + skip;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    static ListCursor decode(String token) {
        if (token == null || token.isEmpty()) {
            return START;
        }
        try {
            String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
            Matcher m = FORMAT.matcher(plain);
            if (m.matches()) {
                Long.parseUnsignedLong(m.group(1)); // SCAN cursors are unsigned 64-bit; Redis refuses anything else
                return new ListCursor(m.group(1), Integer.parseInt(m.group(2)));
            }
        } catch (IllegalArgumentException e) {
            // not base64, or a number out of range: the same answer as any other forged cursor
        }
        throw ProblemException.badRequest("invalid-cursor", "The cursor is not one this service issued");
    }
}
