package dev.tally.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.tally.redis.RedisUnavailableException;
import io.quarkus.vertx.http.ManagementInterface;
import io.smallrye.mutiny.Uni;

/**
 * Test-only (src/test, never packaged): management routes that fail the two ways a real one can, a bug and Redis
 * trouble, through {@link RouteReplies} as {@code ops/OpsRoutes} and {@code job/DeadLetterRoutes} do.
 */
@ApplicationScoped
public class FailingRoutes {

    static final String BUG = "/ops/test-only/bug";
    static final String REDIS_DOWN = "/ops/test-only/redis-down";

    private final RouteReplies replies;

    public FailingRoutes(RouteReplies replies) {
        this.replies = replies;
    }

    void install(@Observes ManagementInterface management) {
        management.router().get(BUG).handler(ctx -> replies.reply(ctx, 200,
                Uni.createFrom().failure(new IllegalStateException("a bug at dev.tally.Secret.line(Secret.java:1)"))));
        management.router().get(REDIS_DOWN).handler(ctx -> replies.reply(ctx, 200,
                Uni.createFrom().failure(new RedisUnavailableException("PING got no answer", null))));
    }
}
