package dev.tally.redis;

import jakarta.inject.Singleton;

import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.vertx.redis.client.RedisOptions;

/**
 * Keeps a copy of the options Quarkus built for the application's Redis client (password, TLS, timeouts, protocol),
 * as a {@link RedisOptionsCustomizer} sees them just before the client is made, so that {@link RedisNodes} can
 * point the same configuration at one chosen node. It changes nothing, and it depends on nothing: Quarkus looks it
 * up while it creates the client, before any bean that uses Redis can exist.
 */
@Singleton
public class RedisOptionsCapture implements RedisOptionsCustomizer {

    private static final String DEFAULT_CLIENT = "<default>"; // Quarkus' name of the unnamed client

    private volatile RedisOptions captured;

    @Override
    public void customize(String clientName, RedisOptions options) {
        if (DEFAULT_CLIENT.equals(clientName)) {
            captured = new RedisOptions(options);
        }
    }

    /** A fresh copy of the application client's options; fails if Quarkus has not made that client yet. */
    RedisOptions copy() {
        RedisOptions options = captured;
        if (options == null) {
            throw new IllegalStateException("the Redis client's options were not seen (no client made yet)");
        }
        return new RedisOptions(options);
    }
}
