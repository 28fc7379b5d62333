package dev.tally.ops;

import java.util.List;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness DOWN while threads are deadlocked: a deadlock never resolves itself, and a restart is the only cure,
 * which is what Kubernetes does to a pod whose liveness fails. Deliberately the only thing liveness checks
 * (an outage of the data store must not restart every pod).
 */
@Liveness
@Singleton
public class DeadlockLiveness implements HealthCheck {

    private final DeadlockWatch watch;

    public DeadlockLiveness(DeadlockWatch watch) {
        this.watch = watch;
    }

    @Override
    public HealthCheckResponse call() {
        List<ThreadSnapshot> deadlocked = watch.scan();
        var response = HealthCheckResponse.named("deadlocks").status(deadlocked.isEmpty());
        if (!deadlocked.isEmpty()) {
            response.withData("threads", DeadlockWatch.names(deadlocked)).withData("count", deadlocked.size());
        }
        return response.build();
    }
}
