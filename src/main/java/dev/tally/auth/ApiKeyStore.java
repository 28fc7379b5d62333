package dev.tally.auth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.tally.redis.Keys;
import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import dev.tally.redis.Replies;
import dev.tally.redis.ScriptRefusal;
import dev.tally.web.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * API keys in Redis, so that every replica sees the same keys: a hash per key ({@link Keys#apiKey}, by id) and an
 * index from name to id ({@link Keys#apiKeyNames}). Creating and revoking are one script each, and both are
 * acknowledged writes ({@link RedisGateway#write}): a revoke lost in a failover would bring a revoked key back.
 */
@Singleton
class ApiKeyStore {

    private final RedisGateway redis;
    private final Keys keys;
    private final AuthSettings settings;
    private final LuaScript create = LuaScript.load("auth_create");
    private final LuaScript revoke = LuaScript.load("auth_revoke");
    private final LuaScript touch = LuaScript.load("auth_touch");

    ApiKeyStore(RedisGateway redis, Keys keys, AuthSettings settings) {
        this.redis = redis;
        this.keys = keys;
        this.settings = settings;
    }

    /** The record for a presented key's id; null when unknown or revoked. */
    Uni<ApiKey> find(String id) {
        return redis.command("HGETALL", keys.apiKey(id)).map(reply -> ApiKey.from(id, Replies.fields(reply)));
    }

    Uni<Void> create(ApiKey key) {
        String expires = key.expiresAt() == null ? "" : Long.toString(key.expiresAt().toEpochMilli());
        return redis.write(create, List.of(keys.apiKeyNames(), keys.apiKey(key.id())),
                List.of(key.name(), key.id(), Scope.join(key.scopes()), key.secretHash(),
                        Long.toString(key.createdAt().toEpochMilli()), expires, Integer.toString(settings.maxKeys())))
                .replaceWithVoid()
                .onFailure().transform(ScriptRefusal.becomes("EXISTS", exists -> ProblemException.conflict(
                        "api-key-exists", "An API key named '" + key.name() + "' exists; revoke it or pick "
                                + "another name")))
                .onFailure().transform(ScriptRefusal.becomes("FULL", full -> ProblemException.conflict(
                        "too-many-api-keys", "There are " + full.detail() + " API keys (tally.auth.max-keys); "
                                + "revoke one first")));
    }

    /** Every key, by name; at most {@code tally.auth.max-keys} records, read together. */
    Uni<List<ApiKey>> list() {
        return redis.command("HGETALL", keys.apiKeyNames()).flatMap(reply -> {
            Map<String, String> ids = Replies.fields(reply);
            if (ids.isEmpty()) {
                return Uni.createFrom().item(List.<ApiKey>of());
            }
            List<Uni<ApiKey>> records = new ArrayList<>();
            ids.values().forEach(id -> records.add(find(id)));
            return Uni.join().all(records).andFailFast().map(found -> found.stream()
                    .filter(key -> key != null)
                    .sorted(Comparator.comparing(ApiKey::name)).toList());
        });
    }

    /** False when no key has that name. */
    Uni<Boolean> revoke(String name) {
        return redis.command("HGET", keys.apiKeyNames(), name).flatMap(id -> id == null
                ? Uni.createFrom().item(false)
                : redis.write(revoke, List.of(keys.apiKeyNames(), keys.apiKey(id.toString())),
                        List.of(name, id.toString())).map(done -> done.toLong() == 1));
    }

    /** Records a use (fire and forget: a lost update only makes the last-used time older). */
    void touch(String id, Instant at) {
        redis.script(touch, List.of(keys.apiKey(id)), List.of(Long.toString(at.toEpochMilli())))
                .subscribe().with(done -> { }, failure -> { });
    }
}
