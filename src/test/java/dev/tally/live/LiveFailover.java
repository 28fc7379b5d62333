package dev.tally.live;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.time.Duration;
import java.util.function.LongSupplier;

import dev.tally.testsupport.FailoverLoad;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Unique;

/**
 * Live sockets through a failover: a socket watches a counter that clients increment (each with its own
 * {@code Idempotency-Key}, retried on a 503, {@link FailoverLoad}) while the master that holds it is killed and a
 * replica promoted. The socket must stay open, end on the counter's true final value (what Redis holds after the
 * failover, which may be below the highest value seen before it: asynchronous replication can lose the last
 * writes, and the feed must follow the promoted replica down), and keep receiving changes afterwards.
 */
final class LiveFailover {

    private static final int CLIENTS = 8;
    /** A 503 must come fast: the command timeout (1.5 s) plus a margin for an overloaded test machine. */
    private static final Duration LONGEST_ANSWER = Duration.ofSeconds(5);
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private LiveFailover() {
    }

    /**
     * {@code failover} kills the master that serves {@code counter}'s keys and returns when a replica is promoted
     * (its {@link System#nanoTime()}); {@code counter} names the counter the test chose for that master.
     */
    static void socketsFollow(String topology, URI app, String liveUrl, String counter, LongSupplier failover) {
        try (LiveSocket socket = LiveSocket.open(liveUrl, counter, null);
                LiveSocket late = LiveSocket.open(liveUrl, counter, null)) {
            socket.awaitLast(0, LiveEndpointTest.WAIT);
            FailoverLoad load = FailoverLoad.start(Http.at(app), counter, CLIENTS);
            Pause.of(Duration.ofSeconds(2)); // changes flow before the kill
            load.fault();
            long promoted = failover.getAsLong();
            Pause.of(Duration.ofSeconds(3)); // and after the promotion
            load.stopAndCheck(topology, promoted, LONGEST_ANSWER, () -> LiveEndpointTest.value(counter));

            long truth = LiveEndpointTest.value(counter);
            socket.awaitLast(truth, SETTLE);
            late.awaitLast(truth, SETTLE);
            assertFalse(socket.isClosed() || late.isClosed(), "live sockets stay open through the failover");
            LiveEndpointTest.increment(counter, 1);
            socket.awaitLast(truth + 1, LiveEndpointTest.WAIT);
        }
    }

    static String counter() {
        return Unique.name("live-failover");
    }
}
