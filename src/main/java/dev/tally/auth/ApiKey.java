package dev.tally.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** An API key as stored: never the secret, only its SHA-256 ({@link ApiKeyToken#hash}). */
record ApiKey(String id, String name, Set<Scope> scopes, String secretHash, Instant createdAt, Instant expiresAt,
        Instant lastUsedAt) {

    /** The record's fields ({@code HGETALL}); null when there is none (unknown or revoked). */
    static ApiKey from(String id, Map<String, String> fields) {
        String name = fields.get("name");
        String hash = fields.get("hash");
        if (name == null || hash == null) {
            return null;
        }
        return new ApiKey(id, name, Scope.split(fields.get("scopes")), hash, time(fields.get("createdAt")),
                time(fields.get("expiresAt")), time(fields.get("lastUsedAt")));
    }

    boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    private static Instant time(String millis) {
        return millis == null || millis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }
}
