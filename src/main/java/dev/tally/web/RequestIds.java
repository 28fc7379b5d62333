package dev.tally.web;

import java.util.UUID;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpServerRequest;

/** Request-id rules: an incoming id is kept when it is safe to echo and log, otherwise a fresh one is made. */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";

    // Nginx's $request_id is 32 hex chars; UUIDs and most tracing ids fit too. Anything else could smuggle
    // control characters or huge values into logs and headers, so it is replaced rather than trusted.
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {
    }

    /** The request's agreed id (set by {@link RequestTagging}, which runs first on both ports). */
    public static String of(HttpServerRequest request) {
        return request.getHeader(HEADER);
    }

    public static String acceptOrGenerate(String incoming) {
        if (incoming != null && SAFE.matcher(incoming).matches()) {
            return incoming;
        }
        return UUID.randomUUID().toString();
    }
}
