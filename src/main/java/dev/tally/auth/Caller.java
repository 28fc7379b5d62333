package dev.tally.auth;

import java.util.Set;

import dev.tally.web.AccessLog;
import io.vertx.ext.web.RoutingContext;

/**
 * Who sent a request: an API key (by its id, which never changes, and its name, for the logs) or the anonymous
 * caller, with what it may do. {@link Authentication} puts it on the request; features read it with {@link #of}.
 *
 * @param identity what records remember the caller by (idempotency keys, job owners): {@code anonymous} or
 *        {@code key-<id>}; never contains ':' (see {@code redis/Keys#counterIdempotency})
 */
public record Caller(String identity, String keyName, Set<Scope> scopes) {

    static final String ANONYMOUS = "anonymous";
    private static final String CONTEXT_KEY = "tally.caller";

    static Caller anonymous(Set<Scope> scopes) {
        return new Caller(ANONYMOUS, null, Set.copyOf(scopes));
    }

    static Caller of(ApiKey key) {
        return new Caller("key-" + key.id(), key.name(), Set.copyOf(key.scopes()));
    }

    public boolean isAnonymous() {
        return keyName == null;
    }

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }

    /** The request's caller; a request that did not pass {@link Authentication} has none, a bug: refuse it. */
    public static Caller of(RoutingContext ctx) {
        Caller caller = ctx.get(CONTEXT_KEY);
        if (caller == null) {
            throw new IllegalStateException("no caller: the request did not pass authentication");
        }
        return caller;
    }

    void attachTo(RoutingContext ctx) {
        ctx.put(CONTEXT_KEY, this);
        if (keyName != null) {
            ctx.put(AccessLog.CALLER, keyName); // the key's name, never its secret
        }
    }
}
