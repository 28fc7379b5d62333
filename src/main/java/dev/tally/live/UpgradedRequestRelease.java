package dev.tally.live;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import org.jboss.logging.Logger;

import io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper;
import io.vertx.core.http.HttpServerRequest;

/**
 * Works around Quarkus 3.33 counting an upgraded (WebSocket) request as in flight for ever: its graceful-shutdown
 * filter waits for a "request done" signal that an upgraded request never sends, so a replica that ever served a
 * live socket waited the whole {@code quarkus.shutdown.timeout} at every shutdown. When the socket's connection
 * closes, the request is marked done here (the wrapper's package-private {@code done()}, which is idempotent).
 * If a later Quarkus changes that method, this does nothing and logs once: shutdown is then slower, never wrong.
 */
final class UpgradedRequestRelease {

    private static final Logger LOG = Logger.getLogger(UpgradedRequestRelease.class);
    private static final MethodHandle DONE = find();

    private UpgradedRequestRelease() {
    }

    /** Marks {@code request} done when its connection closes. */
    static void onClose(HttpServerRequest request) {
        if (DONE == null) {
            return;
        }
        QuarkusRequestWrapper wrapper = QuarkusRequestWrapper.get(request);
        if (wrapper != null) {
            request.connection().closeHandler(closed -> release(wrapper));
        }
    }

    private static void release(QuarkusRequestWrapper wrapper) {
        try {
            DONE.invoke(wrapper);
        } catch (Throwable e) {
            LOG.debugf("could not mark an upgraded request done: %s", e);
        }
    }

    private static MethodHandle find() {
        try {
            return MethodHandles.privateLookupIn(QuarkusRequestWrapper.class, MethodHandles.lookup())
                    .findVirtual(QuarkusRequestWrapper.class, "done", MethodType.methodType(void.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Live sockets will hold graceful shutdown to its timeout: %s", e);
            return null;
        }
    }
}
