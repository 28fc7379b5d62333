package dev.tally.ops;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Diagnostics settings ({@code tally.ops.*}). */
@ConfigMapping(prefix = "tally.ops")
public interface OpsSettings {

    /** {@code tally.ops.stuck-threshold}: a request running longer is logged once with its thread's stack. */
    @WithDefault("5s")
    Duration stuckThreshold();

    /** {@code tally.ops.snapshot-interval}: how often this replica publishes its snapshot to Redis. */
    @WithDefault("1s")
    Duration snapshotInterval();

    /** {@code tally.ops.snapshot-ttl}: a replica missing for this long drops out of the cluster view. */
    @WithDefault("5s")
    Duration snapshotTtl();

    /** {@code tally.ops.recording-max}: the longest flight recording {@code POST /ops/recordings} takes. */
    @WithDefault("60s")
    Duration recordingMax();
}
