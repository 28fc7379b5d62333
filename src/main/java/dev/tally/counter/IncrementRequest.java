package dev.tally.counter;

/** Body of an increment; {@code by} may be negative, and defaults to 1 when absent or null. */
public record IncrementRequest(Long by) {

    long amount() {
        return by == null ? 1 : by;
    }
}
