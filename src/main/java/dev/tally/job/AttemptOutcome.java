package dev.tally.job;

/** How one attempt ended on this worker: the {@code outcome} tag of the job metrics. */
enum AttemptOutcome {
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELLED("cancelled"),
    /** Failed and scheduled for another attempt after a backoff. */
    RETRIED("retried"),
    /** Failed with no attempt left (or its attempts were used up by workers that died). */
    DEAD("dead"),
    /** Given back to the queue by this worker at shutdown. */
    RELEASED("released"),
    /** Another delivery, a cancel or a release decided the job first; this attempt's outcome was not recorded. */
    SUPERSEDED("superseded"),
    /** Redis could not record the outcome; the entry stays pending and is run again (at least once). */
    UNRECORDED("unrecorded");

    private final String tag;

    AttemptOutcome(String tag) {
        this.tag = tag;
    }

    String tag() {
        return tag;
    }
}
