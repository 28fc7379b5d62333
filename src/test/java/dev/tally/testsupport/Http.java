package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import javax.net.ssl.SSLContext;

/**
 * A plain JDK HTTP client for tests that drive real servers: exact control of headers and bodies (no
 * Content-Type at all, an empty body), many concurrent requests, HTTPS with a chosen protocol. Every request has
 * a timeout, so a hanging server fails the test instead of hanging it. Targets are full URLs, or paths resolved
 * against a base given by {@link #at(URI)}.
 */
public final class Http {

    // A hang guard, not a latency assertion: on a saturated 2-core machine a replica restarting next door can
    // starve the others for seconds.
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private final HttpClient client;
    private final URI base;
    /** Sent on every request (the ops token); a test that sends another Authorization uses a client without it. */
    private final String authorization;

    /** Plain HTTP/1.1 to full URLs. */
    public Http() {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1), null);
    }

    private Http(HttpClient.Builder builder, URI base) {
        this(builder.connectTimeout(Duration.ofSeconds(15)).followRedirects(HttpClient.Redirect.NEVER).build(), base,
                null);
    }

    private Http(HttpClient client, URI base, String authorization) {
        this.client = client;
        this.base = base;
        this.authorization = authorization;
    }

    /**
     * The same client, sending {@code Authorization: Bearer <token>} on every request: for the management port's
     * routes. Never for the app port, where a bearer is an API key.
     */
    public Http withBearer(String token) {
        return new Http(client, base, OpsToken.bearer(token));
    }

    /** Plain HTTP/1.1 to paths under {@code base}. */
    public static Http at(URI base) {
        return new Http(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1), base);
    }

    /** HTTPS with the given protocol preference, trusting exactly the certificates of {@code tls}. */
    public static Http tls(SSLContext tls, HttpClient.Version version) {
        return new Http(HttpClient.newBuilder().version(version).sslContext(tls), null);
    }

    public HttpRequest.Builder request(String target) {
        URI uri = base == null ? URI.create(target) : base.resolve(target);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
        return authorization == null ? request : request.setHeader("Authorization", authorization);
    }

    public HttpResponse<String> get(String target, String... headers) {
        return send(withHeaders(request(target), headers).GET());
    }

    /** POST with a JSON body ({@code Content-Type: application/json}), or with no body and no Content-Type. */
    public HttpResponse<String> post(String target, String json, String... headers) {
        HttpRequest.Builder request = withHeaders(request(target), headers);
        if (json == null) {
            return send(request.POST(HttpRequest.BodyPublishers.noBody()));
        }
        return send(request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> patch(String target, String json, String... headers) {
        return send(withHeaders(request(target), headers).header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> delete(String target, String... headers) {
        return send(withHeaders(request(target), headers).DELETE());
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static HttpRequest.Builder withHeaders(HttpRequest.Builder request, String... headers) {
        return headers.length == 0 ? request : request.headers(headers);
    }
}
