package dev.tally.redis;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Ready means "can answer requests", which needs Redis. Liveness deliberately does not include Redis: restarting
 * every replica because Redis blinked would turn a Redis outage into a full outage.
 */
@Readiness
@ApplicationScoped
public class RedisReadinessCheck implements AsyncHealthCheck {

    private final RedisGateway redis;
    private final RedisSettings settings;

    public RedisReadinessCheck(RedisGateway redis, RedisSettings settings) {
        this.redis = redis;
        this.settings = settings;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return redis.ping(settings.pingTimeout())
                .map(ignored -> HealthCheckResponse.up("redis"))
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("redis").down()
                        .withData("error", failure.getMessage()).build());
    }
}
