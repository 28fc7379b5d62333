package dev.tally.ops;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

/**
 * One daemon platform thread for the watchers (deadlock scan, stuck-request watchdog, cluster snapshot). It is
 * deliberately outside the pools it watches: a starved worker pool or a blocked event loop must not silence the
 * thing that reports them.
 */
@Singleton
public class OpsClock {

    private static final Logger LOG = Logger.getLogger(OpsClock.class);

    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "tally-ops-watch");
        thread.setDaemon(true);
        return thread;
    });

    /** Runs {@code task} every {@code period}; a failing run is logged and the next one still happens. */
    public void every(Duration period, String what, Runnable task) {
        clock.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warnf(e, "ops watcher '%s' failed; it runs again in %s", what, period);
            }
        }, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    @PreDestroy
    void stop() {
        clock.shutdownNow();
    }
}
