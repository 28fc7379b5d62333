package dev.tally.fuzz;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What every answer to a generated request must satisfy: no 5xx, except the two that the request itself asked for
 * or that are load shedding; every error an {@code application/problem+json} document with {@code type},
 * {@code title} and a {@code status} equal to the HTTP status; no stack trace in any body. Known bugs are named
 * in {@link KnownBug}, each one narrowly, so that removing it after its fix is one line.
 */
final class AnswerRules {

    /**
     * Allowed 504: the request sent {@code X-Request-Timeout} of at most this many ms, shorter than every route's
     * default deadline (5 s), so a deadline answer is what it asked for.
     */
    static final long SHORT_TIMEOUT_MS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Stack frames, "Caused by:" chains and Java exception class names; not plain words a client may have sent. */
    private static final Pattern STACK_TRACE = Pattern.compile(
            "\\bat [a-zA-Z_$][\\w$]*(?:\\.[\\w$<>]+)+\\((?:[\\w$]+\\.java:\\d+|Native Method|Unknown Source)\\)"
                    + "|Caused by: |\\b(?:java|javax|jakarta|sun|io\\.vertx|io\\.netty|io\\.quarkus|io\\.smallrye"
                    + "|com\\.fasterxml|org\\.jboss|dev\\.tally)\\.(?:[\\w$]+\\.)*[\\w$]*(?:Exception|Error)\\b");

    private AnswerRules() {
    }

    /** Checks the answer; returns the known bug it shows (then only that bug's rule was waived), if any. */
    static Optional<KnownBug> check(FuzzRequest request, RawHttp.Answer answer) {
        String body = answer.bodyText();
        if (STACK_TRACE.matcher(body).find()) {
            throw new AssertionError("a stack trace or exception class in the body: " + describe(answer));
        }
        Optional<KnownBug> bug = KnownBug.shownBy(request, answer);
        if (bug.isPresent()) {
            return bug;
        }
        int status = answer.status();
        if (status >= 500 && !allowedServerError(request, answer)) {
            throw new AssertionError("a 5xx for a client's request: " + describe(answer));
        }
        if (status >= 400) {
            assertProblem(answer);
        }
        return Optional.empty();
    }

    /**
     * The only 5xx a generated request may get: 504 {@code deadline-exceeded} when it sent a short
     * {@code X-Request-Timeout} (it asked for that deadline), and 503 {@code overloaded} with {@code Retry-After}
     * from a work bulkhead (load shedding, on {@code /api/v1/work/*} only).
     */
    static boolean allowedServerError(FuzzRequest request, RawHttp.Answer answer) {
        String type = problemType(answer).orElse("");
        if (answer.status() == 504) {
            return type.equals("urn:tally:problem:deadline-exceeded") && request.header("X-Request-Timeout")
                    .map(String::trim).filter(v -> v.matches("\\d{1,9}")).map(Long::parseLong)
                    .filter(ms -> ms >= 1 && ms <= SHORT_TIMEOUT_MS).isPresent();
        }
        if (answer.status() == 503) {
            return type.equals("urn:tally:problem:overloaded") && answer.header("retry-after").isPresent()
                    && request.target().startsWith("/api/v1/work/");
        }
        return false;
    }

    private static void assertProblem(RawHttp.Answer answer) {
        String contentType = answer.header("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("application/problem+json")) {
            throw new AssertionError("an error that is not application/problem+json: " + describe(answer));
        }
        JsonNode problem = parse(answer);
        if (!problem.isObject() || !problem.path("type").isTextual() || problem.path("type").asText().isBlank()
                || !problem.path("title").isTextual() || problem.path("title").asText().isBlank()) {
            throw new AssertionError("a problem without a type or a title: " + describe(answer));
        }
        if (!problem.path("status").isInt() || problem.path("status").asInt() != answer.status()) {
            throw new AssertionError("a problem whose status member is not the HTTP status: " + describe(answer));
        }
    }

    private static Optional<String> problemType(RawHttp.Answer answer) {
        try {
            return Optional.of(JSON.readTree(answer.body()).path("type").asText());
        } catch (java.io.IOException notJson) {
            return Optional.empty();
        }
    }

    private static JsonNode parse(RawHttp.Answer answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (java.io.IOException e) {
            throw new AssertionError("a problem body that is not JSON: " + describe(answer), e);
        }
    }

    static String describe(RawHttp.Answer answer) {
        StringBuilder text = new StringBuilder("\nHTTP ").append(answer.status()).append('\n');
        answer.headers().forEach(h -> text.append(h[0]).append(": ").append(h[1]).append('\n'));
        return text.append(FuzzRequest.printable(answer.body(), 600)).toString();
    }
}
