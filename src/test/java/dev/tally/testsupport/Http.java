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
 * A small HTTP/1.1 client for tests that drive real processes. Every request has a timeout, so a hanging server
 * fails the test instead of hanging it.
 */
public final class Http {

    // A hang guard, not a latency assertion: on a saturated 2-core machine a replica restarting next door can
    // starve the others for seconds.
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private final HttpClient client;

    /** Plain HTTP/1.1. */
    public Http() {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1));
    }

    private Http(HttpClient.Builder builder) {
        this.client = builder.connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** HTTPS with the given protocol preference, trusting exactly the certificates of {@code tls}. */
    public static Http tls(SSLContext tls, HttpClient.Version version) {
        return new Http(HttpClient.newBuilder().version(version).sslContext(tls));
    }

    public HttpResponse<String> get(String url, String... headers) {
        return send(request(url, headers).GET());
    }

    public HttpResponse<String> post(String url, String jsonBody, String... headers) {
        HttpRequest.BodyPublisher body = jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonBody);
        HttpRequest.Builder request = request(url, headers).POST(body);
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        return send(request);
    }

    public HttpResponse<String> patch(String url, String jsonBody, String... headers) {
        return send(request(url, headers).header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(jsonBody)));
    }

    public HttpResponse<String> delete(String url, String... headers) {
        return send(request(url, headers).DELETE());
    }

    private static HttpRequest.Builder request(String url, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT);
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
