package dev.tally.runtime;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Process-wide settings; feature settings live beside their feature (e.g. {@code tally.counter.*}). */
@ConfigMapping(prefix = "tally")
public interface TallySettings {

    /** {@code tally.instance-id}: the replica's name; empty means host name plus a random suffix. */
    Optional<String> instanceId();
}
