package dev.tally.guard;

import java.time.Duration;

/** The request's deadline passed; its work was stopped. Answered with a 504 problem. */
public final class DeadlineExceeded extends RuntimeException {

    public DeadlineExceeded(Duration deadline) {
        super("The request did not finish within its deadline of " + deadline.toMillis() + " ms; its work was stopped",
                null, false, false);
    }
}
