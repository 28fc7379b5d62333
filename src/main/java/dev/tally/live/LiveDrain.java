package dev.tally.live;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OpenConnections;

/**
 * Live sockets at shutdown. An open WebSocket counts as an unfinished request for Quarkus' graceful shutdown,
 * which would wait its whole timeout for sockets that never end; and a client should move to another replica
 * anyway. So when the drain starts (SIGTERM, {@code quarkus.shutdown.delay}), every live socket is closed with
 * 1001 "going away" and new handshakes get a 503 (see {@link LiveHandshakeGate}), which Nginx retries on another
 * replica. A client reconnects and gets the current value there: nothing is lost.
 */
@Singleton
public class LiveDrain {

    private static final Logger LOG = Logger.getLogger(LiveDrain.class);
    private static final CloseReason GOING_AWAY = new CloseReason(1001, "replica shutting down; reconnect");

    private final OpenConnections connections;

    public LiveDrain(OpenConnections connections) {
        this.connections = connections;
    }

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        long closing = connections.stream()
                .peek(connection -> connection.close(GOING_AWAY).subscribe().with(closed -> { }, failed -> { }))
                .count();
        LOG.infof("Draining: closed %d live sockets (1001 going away)", closing);
    }
}
