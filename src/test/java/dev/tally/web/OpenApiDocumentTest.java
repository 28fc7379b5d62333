package dev.tally.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.ws.rs.HttpMethod;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import dev.tally.guard.Deadline;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/**
 * The served OpenAPI document is valid, describes exactly the operations the JAX-RS resources serve, and gives
 * every operation its problem answers (the problem schema, one example per type), consistent with docs/api.md.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SLUG = Pattern.compile("`([a-z]+(?:-[a-z]+)*)`");
    private static final String TALLY_TYPE = "urn:tally:problem:";
    /** Problem types of docs/api.md's Errors table that no REST operation answers, and why. */
    private static final Map<String, String> NOT_REST = Map.of(
            "live-sockets-exhausted", "the WebSocket handshake's (named in the counters tag's description)",
            "draining", "the WebSocket handshake's, to a direct client (through Nginx a draining replica closes the "
                    + "connection unanswered instead, so no REST operation answers it)",
            "no-dead-job", "the management port's /ops routes, which the document does not describe",
            "api-key-not-found", "/ops/api-keys", "api-key-exists", "/ops/api-keys", "too-many-api-keys",
            "/ops/api-keys", "api-key-request-too-large", "/ops/api-keys");

    @TestHTTPResource(value = "/", management = true)
    URI management;

    private String text;
    private JsonNode document;

    @BeforeEach
    void fetch() throws IOException {
        text = given().when().get(management.resolve("/q/openapi?format=json").toString())
                .then().statusCode(200).extract().asString();
        document = JSON.readTree(text);
    }

    @Test
    void theDocumentIsValidOpenApi() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(text, null, options);
        assertNotNull(result.getOpenAPI(), "parsed: " + result.getMessages());
        assertEquals(List.of(), result.getMessages(), "the validator's messages");
    }

    @Test
    void everyServedOperationIsDocumentedAndEveryDocumentedOneIsServed() {
        assertEquals(served(), new TreeSet<>(operations().keySet()));
    }

    @Test
    void everyErrorAnswerIsAProblemWithAnExamplePerType() {
        operations().forEach((operation, node) -> {
            List<String> errors = errorStatuses(node);
            assertTrue(errors.contains("500"), operation + " documents the unexpected failure");
            for (String status : errors) {
                String where = operation + " " + status;
                JsonNode content = node.path("responses").path(status).path("content");
                assertEquals(List.of(Problem.MEDIA_TYPE), fieldNames(content), where + ": media types");
                JsonNode problem = content.path(Problem.MEDIA_TYPE);
                assertEquals("#/components/schemas/Problem", problem.path("schema").path("$ref").asText(), where);
                assertFalse(problem.path("examples").isEmpty(), where + ": examples");
                problem.path("examples").forEach(example -> {
                    JsonNode value = example.path("value");
                    assertEquals(Integer.parseInt(status), value.path("status").asInt(), where + ": " + value);
                    String type = value.path("type").asText();
                    assertTrue(type.equals("about:blank") || type.startsWith(TALLY_TYPE), where + ": " + type);
                });
            }
        });
        assertEquals("object", document.at("/components/schemas/Problem/type").asText());
    }

    /**
     * Every successful answer with a body documents it as JSON with its schema and at least one example, an object
     * (not a string holding JSON), so that Swagger UI and a reader see what comes back.
     */
    @Test
    void everySuccessfulJsonAnswerHasAnExample() {
        List<String> without = new ArrayList<>();
        operations().forEach((operation, node) -> node.path("responses").properties().forEach(response -> {
            String where = operation + " " + response.getKey();
            JsonNode content = response.getValue().path("content");
            if (!response.getKey().matches("2\\d\\d") || response.getKey().equals("204")) {
                return;
            }
            if (content.isEmpty()) {
                without.add(where + " (no content)");
            }
            content.properties().forEach(media -> {
                if (!media.getKey().endsWith("json")) {
                    return;
                }
                List<JsonNode> examples = new ArrayList<>();
                media.getValue().path("examples").forEach(example -> examples.add(example.path("value")));
                if (media.getValue().has("example")) {
                    examples.add(media.getValue().get("example"));
                }
                if (examples.isEmpty() || !examples.stream().allMatch(JsonNode::isContainerNode)
                        || media.getValue().path("schema").isEmpty()) {
                    without.add(where + " " + media.getKey() + " " + examples);
                }
            });
        }));
        assertEquals(List.of(), without, "successful JSON answers without an example");
    }

    /**
     * A request body is what the client sends: never a framework object a resource takes as a parameter (a
     * {@code RoutingContext} was once documented as the body of three operations), and never on a GET or DELETE.
     */
    @Test
    void requestBodiesAreTheApisOwnTypes() {
        List<String> wrong = new ArrayList<>();
        operations().forEach((operation, node) -> {
            if (node.has("requestBody") && (operation.startsWith("GET ") || operation.startsWith("DELETE "))) {
                wrong.add(operation + " takes a body");
            }
        });
        Set<String> schemas = new TreeSet<>(fieldNames(document.path("components").path("schemas")));
        schemas.retainAll(Set.of("RoutingContext", "HttpHeaders", "Session", "User", "AuthProvider", "Buffer"));
        schemas.forEach(framework -> wrong.add("components/schemas/" + framework));
        assertEquals(List.of(), wrong);
    }

    /** The deadline's answers are added by path (ProblemResponses); this holds that rule to the annotations. */
    @Test
    void exactlyTheOperationsOfDeadlineResourcesDocumentTheDeadline() {
        Set<String> withDeadline = resources().filter(resource -> resource.isAnnotationPresent(Deadline.class))
                .flatMap(OpenApiDocumentTest::operationsOf).collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = operations().entrySet().stream()
                .filter(entry -> typesOf(entry.getValue()).contains("deadline-exceeded"))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(withDeadline, documented);
    }

    @Test
    void theProblemTypesAreThoseOfTheErrorsTableAndOfTheCode() throws IOException {
        Set<String> documented = operations().values().stream().flatMap(node -> typesOf(node).stream())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> table = errorsTable();
        assertTrue(table.containsAll(NOT_REST.keySet()), "NOT_REST lists only types of the table: " + NOT_REST);
        Set<String> missing = new TreeSet<>(table);
        missing.removeAll(documented);
        missing.removeAll(NOT_REST.keySet());
        assertEquals(Set.of(), missing, "types of docs/api.md's Errors table that no operation documents");
        Set<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(table);
        assertEquals(Set.of(), unknown, "documented types missing from docs/api.md's Errors table");
        String code = mainSources();
        for (String slug : documented) {
            assertTrue(code.contains('"' + slug + '"'), slug + " is a literal in src/main/java");
        }
    }

    /** "GET /api/v1/counters/{name}" and so on, for every operation in the document. */
    private Map<String, JsonNode> operations() {
        Map<String, JsonNode> operations = new java.util.TreeMap<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(method -> {
            if (Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(method.getKey())) {
                operations.put(method.getKey().toUpperCase() + " " + path.getKey(), method.getValue());
            }
        }));
        return operations;
    }

    private static Set<String> served() {
        return resources().flatMap(OpenApiDocumentTest::operationsOf).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The JAX-RS resources: classes under dev.tally annotated with @Path. */
    private static Stream<Class<?>> resources() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tally").stream()
                .filter(type -> type.isAnnotatedWith(jakarta.ws.rs.Path.class))
                .map(type -> type.reflect());
    }

    private static Stream<String> operationsOf(Class<?> resource) {
        String base = resource.getAnnotation(jakarta.ws.rs.Path.class).value();
        List<String> operations = new ArrayList<>();
        for (Method method : resource.getDeclaredMethods()) {
            for (var annotation : method.getAnnotations()) {
                HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
                if (http != null) {
                    jakarta.ws.rs.Path sub = method.getAnnotation(jakarta.ws.rs.Path.class);
                    operations.add(http.value() + " " + join(base, sub == null ? "" : sub.value()));
                }
            }
        }
        return operations.stream();
    }

    private static String join(String base, String sub) {
        String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static List<String> errorStatuses(JsonNode operation) {
        return fieldNames(operation.path("responses")).stream().filter(status -> status.matches("[45]\\d\\d")).toList();
    }

    /** The slugs of the Tally problem types in an operation's examples. */
    private static Set<String> typesOf(JsonNode operation) {
        Set<String> types = new TreeSet<>();
        operation.path("responses").forEach(response -> response.path("content").forEach(media -> media
                .path("examples").forEach(example -> {
                    String type = example.path("value").path("type").asText();
                    if (type.startsWith(TALLY_TYPE)) {
                        types.add(type.substring(TALLY_TYPE.length()));
                    }
                })));
        return types;
    }

    /** Every slug in the type column of docs/api.md's Errors table. */
    private static Set<String> errorsTable() throws IOException {
        String api = Files.readString(Path.of("docs/api.md"));
        String errors = api.substring(api.indexOf("\n## Errors"));
        Set<String> slugs = new TreeSet<>();
        for (String row : errors.split("\n")) {
            String[] cells = row.split("\\|");
            if (cells.length > 2 && cells[1].trim().matches("\\d.*")) {
                Matcher matcher = SLUG.matcher(cells[2]);
                matcher.results().forEach(match -> slugs.add(match.group(1)));
            }
        }
        assertFalse(slugs.isEmpty(), "the Errors table was found");
        return slugs;
    }

    private static String mainSources() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(file));
            }
            return all.toString();
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
