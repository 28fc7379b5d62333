package dev.tally.testsupport;

/** Stops what a test started, all of it: one that fails to close does not leave the rest running. */
public final class Closing {

    private Closing() {
    }

    /** Closes each in order; nulls (never started) and failures are passed over. */
    public static void all(AutoCloseable... closeables) {
        for (AutoCloseable closeable : closeables) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
