package dev.tally.counter;

/**
 * A counter's value with its version, which only grows: by one per change, and from Redis' clock in microseconds
 * when the counter is created again after a reset (see {@code counter_increment.lua}). Of two states of one
 * counter, the one with the higher version is the newer, whatever their values.
 */
public record CounterState(long version, long value) {

    /** The payload every change publishes on the counter's channel: {@code "<version> <value>"}. */
    public static CounterState parse(String payload) {
        int space = payload.indexOf(' ');
        if (space <= 0) {
            throw new IllegalArgumentException("not a counter change: " + payload);
        }
        return new CounterState(Long.parseLong(payload, 0, space, 10),
                Long.parseLong(payload, space + 1, payload.length(), 10));
    }

    public boolean newerThan(CounterState other) {
        return other == null || version > other.version;
    }
}
