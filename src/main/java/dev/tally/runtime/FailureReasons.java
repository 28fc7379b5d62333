package dev.tally.runtime;

/**
 * What went wrong, for a log line: a failure's message followed by its causes' ones. A driver's own message is often
 * only the step that failed ("Failed to create SSL connection"); the why ("No subject alternative DNS name matching
 * localhost found") is a cause or two below.
 */
public final class FailureReasons {

    /** Causes worth reading before a chain is only wrappers (and a guard against a cyclic one). */
    private static final int MAX_CAUSES = 5;

    private FailureReasons() {
    }

    public static String of(Throwable failure) {
        StringBuilder text = new StringBuilder(failure.getMessage() != null ? failure.getMessage()
                : failure.getClass().getSimpleName());
        Throwable cause = failure.getCause();
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && text.indexOf(message) < 0) {
                text.append(": ").append(message);
            }
        }
        return text.toString();
    }
}
