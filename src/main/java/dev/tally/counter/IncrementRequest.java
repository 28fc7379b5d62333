package dev.tally.counter;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of an increment; {@code by} may be negative, and defaults to 1 when absent or null. */
public record IncrementRequest(@Schema(example = "10", description = "Default 1; may be negative") Long by) {

    long amount() {
        return by == null ? 1 : by;
    }
}
