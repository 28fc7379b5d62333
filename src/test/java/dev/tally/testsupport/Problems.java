package dev.tally.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One place that knows what every Tally error must look like (RFC 9457 problem+json, request id and instance
 * headers, no internals leaked), so each test states only the status and problem type it expects.
 */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String GENERIC = "about:blank";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> MEMBERS = Set.of("type", "title", "status", "detail", "instance", "requestId",
            "errors");
    // Stack frames, exception class names and Java package names: none of them may reach a client.
    private static final Pattern LEAK = Pattern.compile(
            "(?i)exception|\\tat |\\bat [a-z_$][\\w$]*\\.[\\w$.]+\\(|\\b(java|javax|jakarta|sun|com\\.fasterxml|io\\.quarkus"
                    + "|io\\.vertx|io\\.netty|io\\.smallrye|org\\.jboss|org\\.eclipse|dev\\.tally)\\.[a-z]");

    private Problems() {
    }

    /** The type URN of a Tally-specific problem, e.g. {@code tally("counter-overflow")}. */
    public static String tally(String slug) {
        return "urn:tally:problem:" + slug;
    }

    public static JsonNode assertProblem(io.restassured.response.Response response, int status, String type) {
        return assertProblem(response.statusCode(), response.header("Content-Type"), response.header("X-Request-Id"),
                response.header("X-Tally-Instance"), response.asString(), status, type);
    }

    public static JsonNode assertProblem(HttpResponse<String> response, int status, String type) {
        return assertProblem(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                response.headers().firstValue("X-Request-Id").orElse(null),
                response.headers().firstValue("X-Tally-Instance").orElse(null), response.body(), status, type);
    }

    private static JsonNode assertProblem(int actualStatus, String contentType, String requestIdHeader,
            String instanceHeader, String body, int status, String type) {
        String context = " (status " + actualStatus + ", body: " + body + ")";
        assertEquals(status, actualStatus, "status" + context);
        assertNotNull(contentType, "Content-Type" + context);
        assertTrue(contentType.toLowerCase().startsWith(MEDIA_TYPE), "Content-Type was " + contentType + context);
        assertTrue(requestIdHeader != null && !requestIdHeader.isBlank(), "X-Request-Id header" + context);
        assertTrue(instanceHeader != null && !instanceHeader.isBlank(), "X-Tally-Instance header" + context);
        assertFalse(LEAK.matcher(body).find(), "the body leaks Java internals: " + body);

        JsonNode problem = parse(body);
        assertTrue(problem.isObject(), "a JSON object" + context);
        for (Iterator<String> names = problem.fieldNames(); names.hasNext();) {
            String name = names.next();
            assertTrue(MEMBERS.contains(name), "unexpected member '" + name + "'" + context);
        }
        assertEquals(type, text(problem, "type"), "type" + context);
        assertFalse(text(problem, "title").isBlank(), "title" + context);
        assertEquals(status, problem.path("status").asInt(-1), "status member" + context);
        assertTrue(problem.path("status").isInt(), "status member is a number" + context);
        assertFalse(text(problem, "detail").isBlank(), "detail" + context);
        assertTrue(text(problem, "instance").startsWith("/"), "instance is the request path" + context);
        assertEquals(requestIdHeader, text(problem, "requestId"), "requestId equals X-Request-Id" + context);
        return problem;
    }

    /**
     * A problem document Nginx wrote itself: the shape of web/Problem without the members only a replica knows
     * ({@code instance}, {@code X-Tally-Instance}); {@code requestId} is Nginx's {@code X-Request-Id}.
     */
    public static JsonNode assertFromNginx(HttpResponse<String> response, int status, String type, String title) {
        return assertFromNginx(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                response.headers().firstValue("X-Request-Id").orElse(null), response.body(), status, type, title);
    }

    public static JsonNode assertFromNginx(RawHttp.Answer answer, int status, String type, String title) {
        return assertFromNginx(answer.status(), answer.header("Content-Type"), answer.header("X-Request-Id"),
                answer.body(), status, type, title);
    }

    private static JsonNode assertFromNginx(int actualStatus, String contentType, String requestIdHeader, String body,
            int status, String type, String title) {
        String context = " (status " + actualStatus + ", " + contentType + ", body: " + body + ")";
        assertEquals(status, actualStatus, "status" + context);
        assertEquals(MEDIA_TYPE, contentType, "Content-Type" + context);
        JsonNode problem = parse(body);
        assertEquals(type, text(problem, "type"), "type" + context);
        assertEquals(title, text(problem, "title"), "title" + context);
        assertEquals(status, problem.path("status").asInt(-1), "status member" + context);
        assertFalse(text(problem, "detail").isBlank(), "detail" + context);
        assertTrue(requestIdHeader != null && requestIdHeader.matches("[0-9a-f]{32}"), "Nginx's X-Request-Id" + context);
        assertEquals(requestIdHeader, text(problem, "requestId"), "requestId equals X-Request-Id" + context);
        return problem;
    }

    private static String text(JsonNode problem, String member) {
        JsonNode value = problem.get(member);
        if (value == null || !value.isTextual()) {
            fail("member '" + member + "' missing or not a string in " + problem);
        }
        return value.asText();
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
