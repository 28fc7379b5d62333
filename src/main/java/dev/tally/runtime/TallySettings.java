package dev.tally.runtime;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Process-wide settings; feature settings live beside their feature (e.g. {@code tally.counter.*}). */
@ConfigMapping(prefix = "tally")
public interface TallySettings {

    /** {@code tally.instance-id}: the replica's name; empty means host name plus a random suffix. */
    Optional<String> instanceId();

    /** {@code tally.role}: {@code api} (accepts jobs, runs none), {@code worker} (runs jobs) or {@code all}. */
    @WithDefault("all")
    Role role();
}
