package dev.tally.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Makes and revokes real API keys through a replica's management port ({@code /ops/api-keys}), with the ops token
 * that port needs.
 */
public final class ApiKeys {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Http management;

    private ApiKeys(URI management, String opsToken) {
        this.management = Http.at(management).withBearer(opsToken);
    }

    /** The keys of the {@code @QuarkusTest} application, whose ops token {@link OpsTokenTestResource} made. */
    public static ApiKeys at(URI management) {
        return new ApiKeys(management, OpsToken.ofTestApplication());
    }

    /** The keys of replicas started by {@link ReplicaProcess}, which share one ops token per test run. */
    public static ApiKeys ofReplica(URI management) {
        return new ApiKeys(management, ReplicaProcess.opsToken());
    }

    /** A new key's secret text; {@code expiresAt} may be null. */
    public String create(String name, List<String> scopes, Instant expiresAt) {
        HttpResponse<String> created = management.post("/ops/api-keys", body(name, scopes, expiresAt));
        assertEquals(201, created.statusCode(), created.body());
        return json(created.body()).path("key").asText();
    }

    public String create(String name, String... scopes) {
        return create(name, List.of(scopes), null);
    }

    public HttpResponse<String> post(String body) {
        return management.post("/ops/api-keys", body);
    }

    public HttpResponse<String> list() {
        return management.get("/ops/api-keys");
    }

    public HttpResponse<String> revoke(String name) {
        return management.delete("/ops/api-keys/" + name);
    }

    public static String body(String name, List<String> scopes, Instant expiresAt) {
        String list = scopes.stream().map(scope -> '"' + scope + '"').collect(Collectors.joining(","));
        return "{\"name\":\"" + name + "\",\"scopes\":[" + list + "]"
                + (expiresAt == null ? "" : ",\"expiresAt\":\"" + expiresAt + "\"") + "}";
    }

    /** {@code Authorization} header values for {@link Http}'s name/value lists. */
    public static String[] bearer(String key) {
        return key == null ? new String[0] : new String[] { "Authorization", "Bearer " + key };
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
