package dev.tally.ops;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.tally.runtime.InstanceId;
import dev.tally.web.RouteReplies;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /ops/hangs} on the management interface: what hangs on this replica now, with stacks, for the
 * console's panel. The deadlock is the one {@link DeadlockWatch}'s last scan found (at most a second old, read
 * without scanning again); the stuck requests are those in flight for {@code tally.ops.stuck-threshold} or longer,
 * each with its serving thread's stack taken now. A full dump ({@code /ops/threads}) is the view of every thread;
 * this one is the few that matter, small enough to fetch every few seconds.
 */
@Singleton
public class HangRoutes {

    private final DeadlockWatch deadlocks;
    private final StuckRequestWatchdog watchdog;
    private final Duration threshold;
    private final InstanceId instance;
    private final RouteReplies replies;

    public HangRoutes(DeadlockWatch deadlocks, StuckRequestWatchdog watchdog, OpsSettings settings,
            InstanceId instance, RouteReplies replies) {
        this.deadlocks = deadlocks;
        this.watchdog = watchdog;
        this.threshold = settings.stuckThreshold();
        this.instance = instance;
        this.replies = replies;
    }

    void install(@Observes ManagementInterface management) {
        management.router().get("/ops/hangs").handler(this::hangs);
    }

    private void hangs(RoutingContext ctx) {
        List<Map<String, Object>> stuck = watchdog.stuckNow().stream().map(request -> {
            Map<String, Object> row = OpsRoutes.row(request);
            row.put("stack", Arrays.stream(request.servingThread().getStackTrace())
                    .map(StackTraceElement::toString).toList());
            return row;
        }).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", instance.value());
        body.put("deadlocked", deadlocks.current());
        body.put("stuckThresholdMs", threshold.toMillis());
        body.put("stuck", stuck);
        replies.json(ctx, 200, body);
    }
}
