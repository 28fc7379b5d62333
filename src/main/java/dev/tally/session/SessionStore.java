package dev.tally.session;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.redis.Keys;
import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import dev.tally.redis.Replies;
import dev.tally.redis.ScriptRefusal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * Sessions as Redis hashes: {@code m:created}, {@code m:visits}, and one {@code a:NAME} field per attribute
 * holding its JSON text. Each operation is one script, so reads slide the expiry and writes check limits
 * atomically. Empty results mean "no session": unknown, expired and invalidated look the same.
 */
@Singleton
class SessionStore {

    private static final String ATTRIBUTE = "a:";
    private static final String CREATED = "m:created";
    private static final String VISITS = "m:visits";

    private final RedisGateway redis;
    private final Keys keys;
    private final SessionSettings settings;
    private final AttributeRules rules;
    private final ObjectMapper json;
    private final Clock clock = Clock.systemUTC();
    private final LuaScript create = LuaScript.load("session_create");
    private final LuaScript use = LuaScript.load("session_use");

    SessionStore(RedisGateway redis, Keys keys, SessionSettings settings, AttributeRules rules, ObjectMapper json) {
        this.redis = redis;
        this.keys = keys;
        this.settings = settings;
        this.rules = rules;
        this.json = json;
    }

    /** Creates a session and returns its id with its first view. */
    Uni<Map.Entry<String, SessionView>> create(List<AttributeChange> attributes) {
        String id = SessionId.generate();
        // Stored as epoch milliseconds, so answered at that precision from the start.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        long ttl = Math.min(settings.ttl().toMillis(), settings.maxLifetime().toMillis());
        List<String> args = new ArrayList<>(List.of(Long.toString(ttl), Long.toString(now.toEpochMilli())));
        for (AttributeChange attribute : attributes) {
            args.add(ATTRIBUTE + attribute.name());
            args.add(attribute.json());
        }
        return redis.write(create, List.of(keys.session(id)), args).flatMap(created -> created.toInteger() == 1
                ? Uni.createFrom().item(Map.entry(id, view(attributes, now)))
                : create(attributes)); // id collision: 2^-128 odds, but a retry costs nothing
    }

    Uni<Optional<SessionView>> read(String id) {
        return redis.script(use, List.of(keys.session(id)), use("read")).map(this::view);
    }

    Uni<Optional<SessionView>> patch(String id, List<AttributeChange> changes) {
        List<String> args = use("patch");
        args.add(Integer.toString(settings.maxAttributes()));
        for (AttributeChange change : changes) {
            args.add(ATTRIBUTE + change.name());
            args.add(change.deletes() ? "" : change.json());
        }
        return redis.write(use, List.of(keys.session(id)), args).map(this::view)
                .onFailure().transform(ScriptRefusal.becomes("LIMIT",
                        limit -> rules.tooMany(Integer.parseInt(limit.detail()))));
    }

    Uni<Optional<Long>> visit(String id) {
        return redis.write(use, List.of(keys.session(id)), use("visit"))
                .map(count -> Optional.ofNullable(count).map(Response::toLong));
    }

    Uni<Void> delete(String id) {
        return redis.write("DEL", keys.session(id)).replaceWithVoid();
    }

    /** The arguments of {@code session_use.lua} for an operation: the idle ttl and the absolute lifetime first. */
    private List<String> use(String operation) {
        return new ArrayList<>(List.of(Long.toString(settings.ttl().toMillis()),
                Long.toString(settings.maxLifetime().toMillis()), operation));
    }

    /** The sliding expiry from {@code now}, cut at the absolute lifetime. */
    private Instant expiresAt(Instant now, Instant created) {
        Instant sliding = now.plus(settings.ttl());
        Instant end = created.plus(settings.maxLifetime());
        return sliding.isBefore(end) ? sliding : end;
    }

    private SessionView view(List<AttributeChange> attributes, Instant created) {
        Map<String, JsonNode> values = new TreeMap<>();
        attributes.forEach(attribute -> values.put(attribute.name(), parse(attribute.json())));
        return new SessionView(values, 0, created, expiresAt(created, created));
    }

    /** Builds a view from a script's field/value reply; a nil reply is "no session". */
    private Optional<SessionView> view(Response hash) {
        if (hash == null) {
            return Optional.empty();
        }
        Map<String, JsonNode> attributes = new TreeMap<>();
        long visits = 0;
        Instant created = Instant.EPOCH;
        for (Map.Entry<String, String> stored : Replies.fields(hash).entrySet()) {
            String field = stored.getKey();
            String value = stored.getValue();
            if (field.startsWith(ATTRIBUTE)) {
                attributes.put(field.substring(ATTRIBUTE.length()), parse(value));
            } else if (field.equals(VISITS)) {
                visits = Long.parseLong(value);
            } else if (field.equals(CREATED)) {
                created = Instant.ofEpochMilli(Long.parseLong(value));
            }
        }
        return Optional.of(new SessionView(attributes, visits, created, expiresAt(clock.instant(), created)));
    }

    private JsonNode parse(String stored) {
        try {
            return json.readTree(stored);
        } catch (JsonProcessingException e) {
            // Only this class writes these fields, always from a parsed JsonNode: corrupt data is a bug.
            throw new IllegalStateException("stored session attribute is not JSON", e);
        }
    }
}
