package dev.tally.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition of real processes until it holds, within a bound; past it, fails with what was last seen. */
public final class Await {

    private Await() {
    }

    /**
     * Returns once {@code condition} holds; fails after {@code timeout} with {@code what} and {@code lastSeen}'s
     * text (what the processes said last), so a slow start is told from a broken one.
     */
    public static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> lastSeen) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(what + " did not happen within " + timeout + "; last seen: "
                        + lastSeen.get());
            }
            try {
                Thread.sleep(50); // the poll interval
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting until " + what, e);
            }
        }
    }
}
