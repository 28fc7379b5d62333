package dev.tally.testsupport;

import java.time.Duration;

/** Lets a load run for a set time (never used to wait for a condition: poll the condition instead). */
public final class Pause {

    private Pause() {
    }

    public static void of(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
