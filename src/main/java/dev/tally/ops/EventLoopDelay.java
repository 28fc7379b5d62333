package dev.tally.ops;

import java.time.Duration;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * The event loops' queue delay: twice a second a no-op task is queued on each loop and the wait until it runs
 * is recorded. A healthy loop runs it in microseconds; a loop that something blocks shows the block here, as
 * {@code tally_eventloop_delay_seconds_max}, before any request times out.
 */
@Singleton
public class EventLoopDelay {

    private static final Duration PERIOD = Duration.ofMillis(500);

    private final Vertx vertx;
    private final Timer delay;

    public EventLoopDelay(Vertx vertx, MeterRegistry metrics) {
        this.vertx = vertx;
        this.delay = Timer.builder("tally.eventloop.delay")
                .description("How long a task queued on an event loop waited before it ran")
                .register(metrics);
    }

    void start(@Observes StartupEvent started, OpsClock clock) {
        clock.every(PERIOD, "event-loop delay probe", this::probe);
    }

    private void probe() {
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            long queued = System.nanoTime();
            loop.execute(() -> delay.record(Duration.ofNanos(System.nanoTime() - queued)));
        }
    }
}
