package dev.tally.counter;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.tally.redis.KeySpace;
import dev.tally.web.ProblemException;

/**
 * Where a listing stopped: a scan position (which Redis Cluster master, by its first slot, and its SCAN cursor; the
 * master is always 0 on one Redis) plus how many matches of that SCAN batch were already returned. SCAN batches do
 * not respect a page size, so a page may end in the middle of one; {@code skip} resumes there. Sent to clients as an
 * opaque base64url token; a token of the older single-node form ({@code v1}) still reads, as master 0.
 */
record ListCursor(KeySpace.Position at, int skip) {

    static final ListCursor START = new ListCursor(KeySpace.Position.START, 0);
    private static final Pattern FORMAT = Pattern.compile("v2:(\\d{1,5}):(\\d{1,20}):(\\d{1,9})");
    private static final Pattern SINGLE_NODE = Pattern.compile("v1:(\\d{1,20}):(\\d{1,9})");

    String encode() {
        String plain = "v2:" + at.shard() + ":" + at.cursor() + ":" + skip;
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
                return cursor(Integer.parseInt(m.group(1)), m.group(2), m.group(3));
            }
            Matcher old = SINGLE_NODE.matcher(plain);
            if (old.matches()) {
                return cursor(0, old.group(1), old.group(2));
            }
        } catch (IllegalArgumentException e) {
            // not base64, a number out of range, no such slot: the same answer as any other forged cursor
        }
        throw ProblemException.badRequest("invalid-cursor", "The cursor is not one this service issued");
    }

    private static ListCursor cursor(int shard, String scanCursor, String skip) {
        Long.parseUnsignedLong(scanCursor); // SCAN cursors are unsigned 64-bit; Redis refuses anything else
        return new ListCursor(new KeySpace.Position(shard, scanCursor), Integer.parseInt(skip));
    }
}
