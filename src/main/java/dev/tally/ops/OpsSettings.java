package dev.tally.ops;

import java.time.Duration;
import java.util.Optional;

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

    /**
     * {@code tally.ops.token} ({@code TALLY_OPS_TOKEN}): the bearer token of the management port's operator routes.
     * No default on purpose: without one (or with one shorter than {@link OpsAccess#MIN_TOKEN_LENGTH}) every
     * {@code /ops/} route refuses, it never opens up.
     */
    Optional<String> token();

    /** {@code tally.ops.metrics-open}: {@code /q/metrics} answers without the token (for a scraper that has none). */
    @WithDefault("false")
    boolean metricsOpen();

    /** {@code tally.ops.recording-max}: the longest flight recording {@code POST /ops/recordings} takes. */
    @WithDefault("60s")
    Duration recordingMax();
}
