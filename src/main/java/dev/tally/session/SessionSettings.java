package dev.tally.session;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "tally.session")
public interface SessionSettings {

    /** {@code tally.session.ttl}: idle time after which a session expires; every use restarts it (sliding). */
    @WithDefault("30m")
    Duration ttl();

    /**
     * {@code tally.session.max-lifetime}: the absolute lifetime of a session from its creation, however active: past
     * it the session is gone and the client must create a new one (a stolen cookie stops working at the latest then).
     */
    @WithDefault("12h")
    Duration maxLifetime();

    /**
     * {@code tally.session.cookie-secure}: the cookie's Secure flag, and with it the {@code __Host-} name prefix
     * (which browsers accept only on a Secure cookie); turn off only for plain-HTTP local runs.
     */
    @WithDefault("true")
    boolean cookieSecure();

    /** {@code tally.session.max-attributes}: most attributes one session may hold. */
    @WithDefault("64")
    int maxAttributes();

    /** {@code tally.session.max-attribute-bytes}: largest attribute value, measured as UTF-8 JSON text. */
    @WithDefault("4096")
    int maxAttributeBytes();
}
