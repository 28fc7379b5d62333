package dev.tally.live;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;

/**
 * {@code WS /api/v1/counters/{name}/live}: the counter's current value on open, then one message per change,
 * each {@code {"name","value"}}. Bad names and a full replica are refused before the upgrade by
 * {@link LiveHandshakeGate}; the socket cap is enforced exactly here, where concurrent handshakes that all passed
 * the gate are counted one by one. Clients send nothing; the service pings idle sockets
 * ({@code quarkus.websockets-next.server.auto-ping-interval}) so proxies keep them open.
 */
@WebSocket(path = LiveEndpoint.PATH)
public class LiveEndpoint {

    static final String NAME = "name";
    static final String PATH = "/api/v1/counters/{" + NAME + "}/live";
    // 1013 "Try Again Later" (RFC 6455 registry): the replica is at its socket cap.
    private static final CloseReason FULL = new CloseReason(1013, "live socket limit reached on this replica");

    // The endpoint is a singleton shared by all sockets; each socket's sender lives in its connection's data.
    // Absent when the socket was refused at open.
    private static final UserData.TypedKey<LatestValueSender> SENDER = new UserData.TypedKey<>("tally.live.sender");

    private final ChangeHub hub;
    private final LiveMetrics metrics;
    private final LiveSettings settings;

    public LiveEndpoint(ChangeHub hub, LiveMetrics metrics, LiveSettings settings) {
        this.hub = hub;
        this.metrics = metrics;
        this.settings = settings;
    }

    @OnOpen
    @NonBlocking
    void open(WebSocketConnection connection) {
        if (!metrics.trySocketOpened(settings.maxSockets())) {
            connection.close(FULL).subscribe().with(closed -> { }, failure -> { });
            return;
        }
        LatestValueSender sender = new LatestValueSender(connection, metrics);
        connection.userData().put(SENDER, sender);
        hub.watch(connection.pathParam(NAME), sender);
    }

    @OnClose
    @NonBlocking
    void close(WebSocketConnection connection) {
        LatestValueSender sender = connection.userData().remove(SENDER);
        if (sender != null) {
            hub.unwatch(connection.pathParam(NAME), sender);
            sender.discard();
            metrics.socketClosed();
        }
    }
}
