package dev.tally.testsupport;

import java.util.UUID;

/** Names no other test (or earlier run on the same Redis) uses, so tests never depend on each other. */
public final class Unique {

    private Unique() {
    }

    /** A valid counter name (or name prefix) with a readable label, e.g. {@code overflow-3f2a...}. */
    public static String name(String label) {
        return label + "-" + UUID.randomUUID();
    }
}
