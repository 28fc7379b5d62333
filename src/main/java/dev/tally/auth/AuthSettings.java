package dev.tally.auth;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "tally.auth")
public interface AuthSettings {

    /**
     * {@code tally.auth.anonymous-scopes}: what a caller without an {@code Authorization} header may do, as scope
     * names separated by commas; {@code none} grants nothing. Secure by default: reading counters only.
     */
    @WithDefault("counters:read")
    List<String> anonymousScopes();

    /**
     * {@code tally.auth.cache-ttl}: how long a replica trusts a key record it read from Redis. A revoked key is
     * refused by every replica within this plus one Redis round trip; at most 1s (checked at startup).
     */
    @WithDefault("500ms")
    Duration cacheTtl();

    /** {@code tally.auth.last-used-interval}: how often a replica records a key's last use, at most, per key. */
    @WithDefault("5s")
    Duration lastUsedInterval();

    /** {@code tally.auth.max-keys}: how many API keys may exist; creating one more is a 409. */
    @WithDefault("1000")
    int maxKeys();

    /** {@code tally.auth.quota.*}: requests per second per caller, counted in Redis across replicas. */
    QuotaSettings quota();

    interface QuotaSettings {

        /** {@code tally.auth.quota.enabled}: whether the quota is checked at all. */
        @WithDefault("true")
        boolean enabled();

        /** {@code tally.auth.quota.key-rate}: requests per one-second window for each API key. */
        @WithDefault("100")
        int keyRate();

        /** {@code tally.auth.quota.anonymous-rate}: requests per one-second window for each anonymous client address. */
        @WithDefault("20")
        int anonymousRate();

        /**
         * {@code tally.auth.quota.check-timeout}: the longest a request waits for its count; past it the request goes
         * on uncounted (fail-open). Far below {@code tally.redis.command-timeout}, so that a frozen Redis does not
         * add a whole command timeout to every request, those that never touch Redis ({@code GET /}) included. A
         * request queued behind its caller's count on its way ({@link QuotaCounter}) waits at most twice this.
         */
        @WithDefault("200ms")
        Duration checkTimeout();
    }
}
