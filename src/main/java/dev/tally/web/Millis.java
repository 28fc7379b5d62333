package dev.tally.web;

/**
 * Milliseconds with three decimals ({@code 1.234}), as {@code String.format("%.3f", nanos / 1e6)} writes them
 * (half up), without a Formatter: this runs for every response's {@code Server-Timing} header, and the Formatter
 * cost more than the rest of the timing stage (bench/profile.sh, docs/tuning.md).
 */
final class Millis {

    private Millis() {
    }

    static String format(long nanos) {
        long micros = (Math.max(0, nanos) + 500) / 1000;
        long fraction = micros % 1000;
        StringBuilder text = new StringBuilder(12).append(micros / 1000).append('.');
        if (fraction < 100) {
            text.append(fraction < 10 ? "00" : "0");
        }
        return text.append(fraction).toString();
    }
}
