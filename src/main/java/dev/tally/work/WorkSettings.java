package dev.tally.work;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Bounds of the demo work endpoints. The concurrency bounds are read by SmallRye Fault Tolerance through property
 * expressions in application.properties ({@code quarkus.fault-tolerance."...".bulkhead.value=${...}}); they are
 * declared here so that they are validated and documented in one place with the rest.
 */
@ConfigMapping(prefix = "tally.work")
public interface WorkSettings {

    Blocking blocking();

    Cpu cpu();

    interface Blocking {
        /** {@code tally.work.blocking.max-concurrent}: blocking calls running at once; past it, 503. */
        @WithDefault("1000")
        int maxConcurrent();
    }

    interface Cpu {
        /** {@code tally.work.cpu.max-concurrent}: CPU calls running at once. */
        @WithDefault("2")
        int maxConcurrent();

        /** {@code tally.work.cpu.max-waiting}: CPU calls that may wait for a slot; past it, 503. */
        @WithDefault("16")
        int maxWaiting();
    }

    /** {@code tally.work.max-blocking}: longest blocking call a client may ask for. */
    @WithDefault("30s")
    Duration maxBlocking();

    /** {@code tally.work.max-cpu-iterations}: most SHA-256 rounds a client may ask for (about 1 µs each). */
    @WithDefault("5000000")
    int maxCpuIterations();
}
