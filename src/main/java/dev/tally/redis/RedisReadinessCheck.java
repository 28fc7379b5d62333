package dev.tally.redis;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Ready means "can answer requests", which needs Redis to answer a PING: on a Cluster, every master, since each
 * serves its share of the keys ({@link KeySpace#pingMasters}). Liveness deliberately does not include
 * Redis: restarting every replica because Redis blinked would turn a Redis outage into a full outage.
 * <p>
 * What the transient refusals mean here follows from that: a Redis that is {@code LOADING} (or {@code BUSY})
 * answers nothing, so the replica is not ready, with the refusal's kind in the check's data, exactly as when Redis
 * is down. A Redis that is {@code READONLY} (a demoted master, a replica) or full ({@code OOM}) still answers reads,
 * live feeds and {@code GET /}: the replica stays ready, and only its writes answer 503 with {@code Retry-After}.
 * Taking every replica out of rotation for that would turn "writes wait" into "nothing works".
 */
@Readiness
@Singleton
public class RedisReadinessCheck implements AsyncHealthCheck {

    private final KeySpace keySpace;
    private final RedisSettings settings;

    public RedisReadinessCheck(KeySpace keySpace, RedisSettings settings) {
        this.keySpace = keySpace;
        this.settings = settings;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return keySpace.pingMasters(settings.pingTimeout())
                .map(ignored -> HealthCheckResponse.up("redis"))
                .onFailure().recoverWithItem(RedisReadinessCheck::down);
    }

    private static HealthCheckResponse down(Throwable failure) {
        var response = HealthCheckResponse.named("redis").down().withData("error", failure.getMessage());
        if (failure instanceof RedisUnavailableException unavailable) {
            unavailable.refusal().ifPresent(refusal -> response.withData("refusal", refusal.tag()));
        }
        return response.build();
    }
}
