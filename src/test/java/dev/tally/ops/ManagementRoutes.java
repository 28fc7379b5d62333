package dev.tally.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

/**
 * Test-only: every route the management port serves, read from its router (Quarkus' own and Tally's, and any added
 * later), as requests a test can send, and a client that sends them with or without a token. A table over these
 * needs no list of routes that could fall behind the code.
 */
@ApplicationScoped
public class ManagementRoutes {

    /** One request per route: a method and a concrete path ({@code :id} filled in, a trailing {@code *} dropped). */
    public record Call(String method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** What came back; the body only of an answer that ends (a refusal), never of a stream. */
    public record Answer(int status, HttpResponse<InputStream> response, String body) {
        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private volatile Router router;

    void capture(@Observes ManagementInterface management) {
        router = management.router();
    }

    public Set<Call> calls() {
        return router.getRoutes().stream().filter(route -> route.getPath() != null)
                .flatMap(route -> methods(route).stream().map(method -> new Call(method, concrete(route.getPath()))))
                .collect(Collectors.toCollection(() -> new TreeSet<>(
                        Comparator.comparing(Call::path).thenComparing(Call::method))));
    }

    private static List<String> methods(Route route) {
        Set<HttpMethod> methods = route.methods();
        return methods == null || methods.isEmpty() ? List.of("GET")
                : methods.stream().map(HttpMethod::name).sorted().toList();
    }

    private static String concrete(String template) {
        String path = template.replaceAll(":[A-Za-z0-9_]+", "x");
        return path.endsWith("*") ? path.substring(0, path.length() - 1) : path;
    }

    /** Sends {@code call} with {@code Authorization: Bearer <token>}, or without the header when token is null. */
    public static Answer send(URI base, Call call, String token) {
        return sendRaw(base, call, token == null ? null : "Bearer " + token);
    }

    /** Sends {@code call} with this {@code Authorization} header, or none when null. */
    public static Answer sendRaw(URI base, Call call, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.resolve("/") + call.path().substring(1)))
                .timeout(Duration.ofSeconds(30)).method(call.method(), HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<InputStream> response = CLIENT.send(request.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                // A stream (the console's feed) never ends: read only what is an answer, not a 2xx.
                String text = response.statusCode() >= 300 ? new String(body.readAllBytes(), StandardCharsets.UTF_8)
                        : null;
                return new Answer(response.statusCode(), response, text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
