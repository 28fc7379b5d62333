package dev.tally.redis;

import java.util.EnumMap;
import java.util.Map;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * {@code tally_redis_refusals_total{kind}}: every transient refusal Redis answered this replica with, by kind, from
 * requests and background work alike. Every kind is registered at startup (as 0), so that an alert on its rate
 * works before the first refusal.
 */
@Startup
@Singleton
public class RedisRefusalMetrics {

    private final Map<RedisRefusal, Counter> counters = new EnumMap<>(RedisRefusal.class);

    public RedisRefusalMetrics(MeterRegistry registry) {
        for (RedisRefusal kind : RedisRefusal.values()) {
            counters.put(kind, Counter.builder("tally.redis.refusals")
                    .description("Commands Redis refused for now (full, read-only, loading, busy, ...), by kind")
                    .tag("kind", kind.tag())
                    .register(registry));
        }
    }

    void counted(RedisRefusal kind) {
        counters.get(kind).increment();
    }
}
