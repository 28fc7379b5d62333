package dev.tally.runtime;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;

/**
 * Graceful drain, step one. At SIGTERM Quarkus turns readiness DOWN and keeps serving for
 * {@code quarkus.shutdown.delay}; during that window Tally also asks HTTP/1.1 clients (Nginx's keepalive pool)
 * to close each connection after its response. By the time the listener closes, the proxy holds no idle
 * connection to this replica, so it never sends a request into a connection that is about to be reset: it gets
 * a refused connect instead, which it may safely retry on another replica, even for a POST. This class only holds
 * the state (it is the process's, so it lives in {@code runtime}); {@code web/RequestTagging} closes connections,
 * {@code guard/DrainHandoff} (step two) and {@code live/LiveHandshakeGate} refuse work while it is set.
 */
@Singleton
public class Drain {

    private static final Logger LOG = Logger.getLogger(Drain.class);
    private volatile boolean draining;

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        LOG.info("Draining: readiness is DOWN; closing client connections after each response");
    }

    public boolean draining() {
        return draining;
    }
}
