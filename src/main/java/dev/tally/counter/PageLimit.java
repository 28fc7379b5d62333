package dev.tally.counter;

import dev.tally.web.ProblemException;

/**
 * Parses {@code limit}. Taken as text because JAX-RS answers an unconvertible query parameter with 404, which
 * would tell a client with a typo that the resource does not exist.
 */
final class PageLimit {

    static final int DEFAULT = 100;
    static final int MAX = 1000;

    private PageLimit() {
    }

    static int parse(String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX) {
                return value;
            }
        } catch (NumberFormatException e) {
            // same answer as out of range
        }
        throw ProblemException.badRequest("invalid-limit", "limit must be an integer from 1 to " + MAX);
    }
}
