package dev.tally.live;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "tally.live")
public interface LiveSettings {

    /** {@code tally.live.max-sockets}: open live sockets per replica; past it a handshake gets a 503. */
    @WithDefault("10000")
    int maxSockets();

    /** {@code tally.live.resubscribe-delay}: wait between attempts to re-establish the Redis subscription. */
    @WithDefault("1s")
    Duration resubscribeDelay();
}
