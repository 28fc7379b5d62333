package dev.tally.counter;

/** A counter as the API shows it. */
public record Counter(String name, long value) {
}
