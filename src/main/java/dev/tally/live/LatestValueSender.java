package dev.tally.live;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.quarkus.websockets.next.WebSocketConnection;

/**
 * Writes to one socket at most one message at a time, and keeps at most one more: the latest. A message offered
 * while the previous write is still in progress (the client reads slowly and TCP pushed back) replaces any other
 * waiting one, which is counted as coalesced. So a slow client costs one message of memory, never a queue, and
 * still ends on the latest value because the waiting slot always holds the newest message offered.
 * <p>
 * {@link #offer} is called by the change hub on one thread, write completions arrive on the socket's event loop:
 * the slot and the "writing" flag are atomics, so neither blocks the other.
 */
final class LatestValueSender {

    private final WebSocketConnection connection;
    private final LiveMetrics metrics;
    private final AtomicReference<String> waiting = new AtomicReference<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    LatestValueSender(WebSocketConnection connection, LiveMetrics metrics) {
        this.connection = connection;
        this.metrics = metrics;
    }

    void offer(String message) {
        String replaced = waiting.getAndSet(message);
        if (replaced != null) {
            metrics.coalesced();
        } else {
            metrics.waitingChanged(1);
        }
        writeNext();
    }

    /** Drops a waiting message when the socket closes, so the waiting gauge stays exact. */
    void discard() {
        if (waiting.getAndSet(null) != null) {
            metrics.waitingChanged(-1);
        }
    }

    private void writeNext() {
        while (writing.compareAndSet(false, true)) {
            String next = waiting.getAndSet(null);
            if (next == null) {
                writing.set(false);
                if (waiting.get() == null) {
                    return; // nothing arrived between the take and the release: done
                }
                continue; // an offer raced the release; take it
            }
            metrics.waitingChanged(-1);
            if (connection.isClosed()) {
                writing.set(false);
                return;
            }
            // The write completes once the frame is in the kernel's socket buffer; a client that does not read
            // keeps it pending, and everything offered meanwhile collapses into the waiting slot.
            connection.sendText(next).subscribe().with(done -> {
                metrics.sent();
                writing.set(false);
                writeNext();
            }, closed -> {
                writing.set(false);
                discard(); // the socket is gone: nothing will take what waits
            });
            return;
        }
    }
}
