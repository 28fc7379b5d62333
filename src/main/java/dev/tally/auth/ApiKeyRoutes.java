package dev.tally.auth;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.web.ProblemException;
import dev.tally.web.RouteReplies;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.RoutingContext;

/**
 * Key management, on the management interface like every {@code /ops} route (never proxied; guarded by the ops
 * token there): {@code POST /ops/api-keys} creates a key and answers its secret, the only time it is ever shown;
 * {@code GET /ops/api-keys} lists keys without secrets or hashes; {@code DELETE /ops/api-keys/{name}} revokes.
 */
@Singleton
public class ApiKeyRoutes {

    private static final Logger LOG = Logger.getLogger(ApiKeyRoutes.class);
    /** A request is a name, a few scopes and a time: 4 KiB is ample. */
    private static final long MAX_BODY = 4096;

    private final ApiKeyStore store;
    private final RouteReplies replies;
    private final ObjectMapper json;

    public ApiKeyRoutes(ApiKeyStore store, RouteReplies replies, ObjectMapper json) {
        this.store = store;
        this.replies = replies;
        this.json = json;
    }

    void install(@Observes ManagementInterface management) {
        // Tagging and problems come from the management pipeline (pipeline/RequestPipeline).
        // The management router reads bodies itself (up to quarkus.http.limits.max-body-size); create checks ours.
        management.router().post("/ops/api-keys").handler(this::create);
        management.router().get("/ops/api-keys").handler(this::list);
        management.router().delete("/ops/api-keys/:name").handler(this::revoke);
    }

    private void create(RoutingContext ctx) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        NewApiKey request;
        try {
            request = NewApiKey.from(body(ctx), now);
        } catch (ProblemException e) {
            replies.fail(ctx, e);
            return;
        }
        ApiKeyToken token = ApiKeyToken.generate();
        ApiKey key = new ApiKey(token.id(), request.name(), request.scopes(), token.hash(), now,
                request.expiresAt(), null);
        replies.reply(ctx, 201, store.create(key).map(created -> {
            LOG.infof("API key '%s' created with scopes %s", key.name(), Scope.join(key.scopes()));
            Map<String, Object> body = view(key);
            body.put("key", token.text());
            return body;
        }));
    }

    private void list(RoutingContext ctx) {
        replies.reply(ctx, 200, store.list().map(keys -> Map.of("items",
                keys.stream().map(ApiKeyRoutes::view).toList())));
    }

    private void revoke(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        if (!NewApiKey.isValidName(name)) {
            replies.fail(ctx, notFound(name));
            return;
        }
        replies.reply(ctx, 200, store.revoke(name).map(revoked -> {
            if (!revoked) {
                throw notFound(name);
            }
            LOG.infof("API key '%s' revoked", name);
            return Map.of("name", name, "revoked", true);
        }));
    }

    private JsonNode body(RoutingContext ctx) {
        var buffer = ctx.body().buffer();
        if (buffer == null || buffer.length() == 0) {
            return null;
        }
        if (buffer.length() > MAX_BODY) {
            throw ProblemException.tooLarge("api-key-request-too-large", "An API key request is at most " + MAX_BODY
                    + " bytes");
        }
        try {
            return json.readTree(buffer.getBytes());
        } catch (IOException e) {
            throw ProblemException.badRequest("malformed-json", "The body is not one JSON object (a syntax "
                    + "error or a key given twice)");
        }
    }

    /** What an operator may see of a key: never its secret or its hash. */
    private static Map<String, Object> view(ApiKey key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", key.name());
        view.put("scopes", List.copyOf(key.scopes().stream().map(Scope::wire).toList()));
        view.put("createdAt", key.createdAt().toString());
        view.put("expiresAt", key.expiresAt() == null ? null : key.expiresAt().toString());
        view.put("lastUsedAt", key.lastUsedAt() == null ? null : key.lastUsedAt().toString());
        return view;
    }

    private static ProblemException notFound(String name) {
        return ProblemException.notFound("api-key-not-found", "No API key named '" + name + "'");
    }
}
