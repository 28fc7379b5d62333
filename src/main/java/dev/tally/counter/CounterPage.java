package dev.tally.counter;

import java.util.List;

/** One page of a listing; {@code next} is the cursor for the following page, {@code null} at the end. */
public record CounterPage(List<Counter> items, String next) {
}
