package dev.tally.runtime;

import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One value per request, kept in the request's Vert.x duplicated context so that code deep in a call (a Redis
 * call, a timeout) finds it without every layer passing it along. Outside a request there is no such context:
 * Quarkus forbids locals on a root (event-loop) context and throws, and code running there (the live feeds'
 * subscription, the cluster view's publisher, jobs, start-up) is not a request, so it binds and finds nothing.
 */
public final class RequestLocal<T> {

    private final String key;

    /** A local keyed by {@code owner}'s class name: one per owning class. */
    public RequestLocal(Class<?> owner) {
        this.key = owner.getName();
    }

    /** Binds {@code value} to the request the caller runs for; does nothing outside a request. */
    public void bind(T value) {
        Context context = requestContext();
        if (context != null) {
            context.putLocal(key, value);
        }
    }

    /** The value bound to the request the caller runs for, or null (none bound, or not in a request). */
    public T current() {
        Context context = requestContext();
        return context == null ? null : context.getLocal(key);
    }

    private static Context requestContext() {
        Context context = Vertx.currentContext();
        return context != null && VertxContext.isDuplicatedContext(context) ? context : null;
    }
}
