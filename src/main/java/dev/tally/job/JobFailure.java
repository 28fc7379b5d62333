package dev.tally.job;

/** A handler's deliberate failure: {@code permanent} ends the job as {@code failed}; otherwise it is retried. */
public final class JobFailure extends Exception {

    private final boolean permanent;

    private JobFailure(String message, boolean permanent) {
        super(message, null, false, false);
        this.permanent = permanent;
    }

    public static JobFailure retryable(String message) {
        return new JobFailure(message, false);
    }

    public static JobFailure permanent(String message) {
        return new JobFailure(message, true);
    }

    public boolean permanent() {
        return permanent;
    }
}
