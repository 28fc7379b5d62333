package dev.tally.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

/**
 * The log of a background task that retries while Redis is down or refuses (full, read-only, loading, busy): one
 * warning when an episode of failures begins, one info line when the task works again, and the attempts between
 * only at debug level. A Redis that stays full for an hour gives two lines per task, not one per retry.
 */
public final class FailureEpisode {

    private final Logger log;
    private final String task;
    private final Duration retryEvery;
    /** Failed attempts in the current episode; 0 while the task works. */
    private final AtomicLong failures = new AtomicLong();
    private volatile long startedNanos;

    public FailureEpisode(Logger log, String task, Duration retryEvery) {
        this.log = log;
        this.task = task;
        this.retryEvery = retryEvery;
    }

    /** An attempt failed; the first failure of an episode is logged as a warning. */
    public void failed(Throwable failure) {
        if (failures.getAndIncrement() == 0) {
            startedNanos = System.nanoTime();
            log.warnf("%s failed (retrying every %d ms, logged again when it works): %s", task,
                    retryEvery.toMillis(), FailureReasons.of(failure));
        } else {
            log.debugf("%s failed again: %s", task, FailureReasons.of(failure));
        }
    }

    /** An attempt worked; ends the episode, if there was one, with an info line. */
    public void succeeded() {
        long failed = failures.getAndSet(0);
        if (failed > 0) {
            log.infof("%s works again after %d failed attempt(s) over %d ms", task, failed,
                    Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
        }
    }

    /** True while an episode of failures is going on. */
    public boolean failing() {
        return failures.get() > 0;
    }
}
