package dev.tally.web;

import java.util.List;
import java.util.Map;

/**
 * Thrown (or failed with, in a {@code Uni}) wherever Tally rejects a request on purpose; {@link ProblemMappers}
 * turns it into a problem response. Carries no stack trace: it is an answer, not a bug.
 */
public final class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final List<String> errors;
    private final Map<String, String> headers;

    private ProblemException(int status, String slug, String detail, List<String> errors, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = Problem.title(slug);
        this.errors = errors;
        this.headers = headers;
    }

    public static ProblemException badRequest(String slug, String detail) {
        return new ProblemException(400, slug, detail, null, Map.of());
    }

    public static ProblemException invalidInput(String detail, List<String> errors) {
        return new ProblemException(400, "invalid-input", detail, List.copyOf(errors), Map.of());
    }

    /** 401: no usable credentials; {@code challenge} is the {@code WWW-Authenticate} value (RFC 6750). */
    public static ProblemException unauthorized(String slug, String detail, String challenge) {
        return new ProblemException(401, slug, detail, null, Map.of("WWW-Authenticate", challenge));
    }

    /** 403: the request is understood and refused whatever credentials it carries. */
    public static ProblemException forbidden(String slug, String detail) {
        return new ProblemException(403, slug, detail, null, Map.of());
    }

    /** 403: valid credentials that do not grant the operation; {@code challenge} as for {@link #unauthorized}. */
    public static ProblemException forbidden(String slug, String detail, String challenge) {
        return new ProblemException(403, slug, detail, null, Map.of("WWW-Authenticate", challenge));
    }

    public static ProblemException notFound(String slug, String detail) {
        return new ProblemException(404, slug, detail, null, Map.of());
    }

    /** 413, like a body over the HTTP limit, for a part of a body over a feature's own limit. */
    public static ProblemException tooLarge(String slug, String detail) {
        return new ProblemException(413, slug, detail, null, Map.of());
    }

    public static ProblemException conflict(String slug, String detail) {
        return new ProblemException(409, slug, detail, null, Map.of());
    }

    public static ProblemException unprocessable(String slug, String detail) {
        return new ProblemException(422, slug, detail, null, Map.of());
    }

    /** 429: the caller is over its quota; {@code headers} carry {@code Retry-After} and the quota's state. */
    public static ProblemException tooManyRequests(String slug, String detail, Map<String, String> headers) {
        return new ProblemException(429, slug, detail, null, Map.copyOf(headers));
    }

    public static ProblemException unavailable(String slug, String detail, long retryAfterSeconds) {
        return new ProblemException(503, slug, detail, null,
                Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public List<String> errors() {
        return errors;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
