package dev.tally.guard;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The clock behind every deadline: schedules the interrupts, and counts the requests that ran out of time and
 * those whose client went away.
 */
@Singleton
public class DeadlineAlarms {

    // Only schedules interrupts, each a few microseconds of work: one thread is plenty.
    private final ScheduledExecutorService alarms = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "tally-deadline-alarm");
        thread.setDaemon(true);
        return thread;
    });
    private final Counter timedOut;
    private final Counter cancelled;

    public DeadlineAlarms(MeterRegistry metrics) {
        this.timedOut = Counter.builder("tally.requests.timed.out")
                .description("Requests answered 504 because their deadline passed; their work was stopped")
                .register(metrics);
        this.cancelled = Counter.builder("tally.requests.cancelled")
                .description("Requests whose client went away before the answer; their work was stopped")
                .register(metrics);
    }

    void clientGone() {
        cancelled.increment();
    }

    ScheduledFuture<?> at(Duration delay, Runnable action) {
        return alarms.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    DeadlineExceeded exceeded(Duration deadline) {
        timedOut.increment();
        return new DeadlineExceeded(deadline);
    }

    @PreDestroy
    void stop() {
        alarms.shutdownNow();
    }
}
