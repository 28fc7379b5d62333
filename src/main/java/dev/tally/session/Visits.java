package dev.tally.session;

/** The answer to counting a visit. */
public record Visits(long visits) {
}
