package dev.tally.counter;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "tally.counter")
public interface CounterSettings {

    /**
     * {@code tally.counter.idempotency-retention}: how long an {@code Idempotency-Key} is remembered. A retry
     * with the same key inside this window returns the first result and never counts twice.
     */
    @WithDefault("24h")
    Duration idempotencyRetention();
}
