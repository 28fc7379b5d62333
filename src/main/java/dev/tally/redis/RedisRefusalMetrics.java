package dev.tally.redis;

import java.util.EnumMap;
import java.util.Map;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * {@code tally_redis_refusals_total{kind}}: every transient refusal Redis answered this replica with, by kind, from
 * requests and background work alike; and {@code tally_redis_unconfirmed_writes_total}: the changes that too few
 * replicas confirmed ({@code tally.redis.min-replicas-acked}). Every kind is registered at startup (as 0), so that an alert on its rate
 * works before the first refusal.
 */
@Startup
@Singleton
public class RedisRefusalMetrics {

    private final Map<RedisRefusal, Counter> counters = new EnumMap<>(RedisRefusal.class);
    private final Counter unconfirmed;

    public RedisRefusalMetrics(MeterRegistry registry) {
        unconfirmed = Counter.builder("tally.redis.unconfirmed.writes")
                .description("Changes made on the master that fewer than tally.redis.min-replicas-acked replicas "
                        + "confirmed in time (answered 503)")
                .register(registry);
        for (RedisRefusal kind : RedisRefusal.values()) {
            counters.put(kind, Counter.builder("tally.redis.refusals")
                    .description("Commands Redis refused for now (full, read-only, loading, busy, ...), by kind")
                    .tag("kind", kind.tag())
                    .register(registry));
        }
    }

    void unconfirmedWrite() {
        unconfirmed.increment();
    }

    void counted(RedisRefusal kind) {
        counters.get(kind).increment();
    }
}
