package dev.tally.auth;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import io.smallrye.mutiny.Uni;

/**
 * The per-request cost of a key kept small: a replica reads a key's record from Redis at most once per
 * {@code tally.auth.cache-ttl} (while it is used), and records its last use at most once per
 * {@code tally.auth.last-used-interval}. Revocation deletes the record, so every replica refuses the key once its
 * cached copy is older than the TTL. Unknown ids are not cached (nothing to hold them to); the cache holds at
 * most one entry per existing key, and stale entries are dropped when it grows past twice the key bound.
 */
@Singleton
class ApiKeyCache {

    private record Entry(ApiKey key, long readAtNanos) {
    }

    private final ApiKeyStore store;
    private final long ttlNanos;
    private final long touchEveryNanos;
    private final int sweepAbove;
    private final Map<String, Entry> records = new ConcurrentHashMap<>();
    private final Map<String, Long> touchedAtNanos = new ConcurrentHashMap<>();

    ApiKeyCache(ApiKeyStore store, AuthSettings settings) {
        if (settings.cacheTtl().toMillis() > 1000) {
            throw new IllegalArgumentException("tally.auth.cache-ttl must be at most 1s (revocation takes effect "
                    + "within it on every replica): " + settings.cacheTtl());
        }
        this.store = store;
        this.ttlNanos = settings.cacheTtl().toNanos();
        this.touchEveryNanos = settings.lastUsedInterval().toNanos();
        this.sweepAbove = 2 * settings.maxKeys();
    }

    /** The cached record when fresh (no Redis call), else null: then {@link #load} it. */
    ApiKey fresh(String id) {
        Entry entry = records.get(id);
        return entry != null && System.nanoTime() - entry.readAtNanos() < ttlNanos ? entry.key() : null;
    }

    /** Reads the record from Redis and caches it; null (and forgotten) when unknown or revoked. */
    Uni<ApiKey> load(String id) {
        long readAt = System.nanoTime();
        return store.find(id).invoke(key -> {
            if (key == null) {
                records.remove(id);
                touchedAtNanos.remove(id);
                return;
            }
            if (records.size() >= sweepAbove) {
                long now = System.nanoTime();
                records.values().removeIf(entry -> now - entry.readAtNanos() >= ttlNanos);
                touchedAtNanos.keySet().retainAll(records.keySet());
            }
            records.put(id, new Entry(key, readAt));
        });
    }

    /** A verified use: written to Redis only when this replica has not written one for the key recently. */
    void used(ApiKey key) {
        long now = System.nanoTime();
        Long last = touchedAtNanos.get(key.id());
        if (last != null && now - last < touchEveryNanos) {
            return;
        }
        if (last == null ? touchedAtNanos.putIfAbsent(key.id(), now) == null
                : touchedAtNanos.replace(key.id(), last, now)) {
            store.touch(key.id(), Instant.now());
        }
    }
}
