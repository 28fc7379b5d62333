package dev.tally.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Completes the OpenAPI document's error answers in one place, so that resources stay thin. A resource names the
 * problem types an operation answers in its {@code @APIResponse} descriptions, as slugs in backquotes (as
 * docs/api.md does): {@code "`counter-overflow`: ..."}. This filter (registered as {@code mp.openapi.filter})
 * adds the answers every operation shares, then gives every error response the {@code Problem} schema and one
 * example per type, with the title the service sends ({@link Problem#title}).
 */
public class ProblemResponses implements OASFilter {

    /** For the resources that talk to Redis, as a class-level {@code @APIResponse} (or part of a method's 503). */
    public static final String STORE_UNAVAILABLE = "`store-unavailable`: Redis is down, unreachable or too slow, "
            + "or refuses for now (full, read-only, loading, busy, a Cluster slot moving), or a change was made but "
            + "not confirmed by `tally.redis.min-replicas-acked` replicas in time (it may have happened)";

    static final String SCHEMA = "Problem";
    private static final String SCHEMA_REF = "#/components/schemas/" + SCHEMA;
    private static final Pattern SLUG = Pattern.compile("`([a-z]+(?:-[a-z]+)*)`");

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        api.getComponents().addSchema(SCHEMA, problemSchema());
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths().getPathItems().forEach((path, item) -> item.getOperations().forEach((method, operation) -> {
            addShared(path, operation);
            operation.getResponses().getAPIResponses().forEach((status, response) -> {
                if (status.matches("[45]\\d\\d")) {
                    complete(path, Integer.parseInt(status), response);
                }
            });
        }));
    }

    /** The answers that come from the request pipeline and the guards rather than from a resource. */
    private static void addShared(String path, Operation operation) {
        APIResponses responses = operation.getResponses();
        if (path.startsWith("/api/")) {
            // Every /api resource is @Deadline (OpenApiDocumentTest checks that against the classes).
            add(responses, 400, "`invalid-request-timeout`: `X-Request-Timeout` is not 1 to 999999999 ms");
            add(responses, 504, "`deadline-exceeded`: the request's deadline passed; its work was stopped");
        }
        if (operation.getRequestBody() != null) {
            add(responses, 413, "the body is over 512 KiB");
            add(responses, 415, "the body's media type is not one the operation takes");
        }
        add(responses, 500, "an unexpected failure; quote the request id when reporting it");
    }

    private static void add(APIResponses responses, int status, String description) {
        APIResponse existing = responses.getAPIResponse(Integer.toString(status));
        if (existing == null) {
            responses.addAPIResponse(Integer.toString(status),
                    OASFactory.createAPIResponse().description(capitalized(description)));
        } else {
            existing.setDescription(existing.getDescription() + "; " + description);
        }
    }

    /**
     * Gives an error answer the problem schema and its examples. Public for other document filters that add error
     * answers ({@code auth/AuthDocument}): the order of filters is not defined, so such a filter completes its
     * own; completing twice gives the same result.
     */
    public static void complete(String path, int status, APIResponse response) {
        var problem = OASFactory.createMediaType().schema(OASFactory.createSchema().ref(SCHEMA_REF));
        List<String> slugs = slugs(response.getDescription());
        if (slugs.isEmpty()) {
            problem.addExample("about:blank", example(path, status, "about:blank", ProblemWriter.reasonPhrase(status)));
        }
        slugs.forEach(slug -> problem.addExample(slug, example(path, status, Problem.type(slug), Problem.title(slug))));
        response.setContent(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, problem));
        if (status == 503 || status == 429) {
            response.addHeader("Retry-After", OASFactory.createHeader()
                    .description("Seconds to wait before retrying")
                    .schema(OASFactory.createSchema().addType(SchemaType.INTEGER)));
        }
    }

    static List<String> slugs(String description) {
        Matcher matcher = SLUG.matcher(description == null ? "" : description);
        return matcher.results().map(match -> match.group(1)).distinct().toList();
    }

    private static org.eclipse.microprofile.openapi.models.examples.Example example(String path, int status,
            String type, String title) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("type", type);
        value.put("title", title);
        value.put("status", status);
        value.put("instance", path);
        value.put("requestId", "3c027b0e-7073-4add-b837-cdb7d7c92362");
        return OASFactory.createExample().value(value);
    }

    /** The {@link Problem} record, described by hand: its members' meaning is the point, not their Java types. */
    private static Schema problemSchema() {
        return OASFactory.createSchema()
                .addType(SchemaType.OBJECT)
                .description("An RFC 9457 problem detail, the body of every error (" + Problem.MEDIA_TYPE + ")")
                .addProperty("type", string("`urn:tally:problem:<slug>`, a stable identifier to switch on, or "
                        + "`about:blank` for a plain HTTP error"))
                .addProperty("title", string("A short summary of the type, the same for every occurrence"))
                .addProperty("status", OASFactory.createSchema().addType(SchemaType.INTEGER)
                        .description("The HTTP status"))
                .addProperty("detail", string("What went wrong with this request"))
                .addProperty("instance", string("The request's path"))
                .addProperty("requestId", string("The request's `X-Request-Id`, as in the logs"))
                .addProperty("errors", OASFactory.createSchema().addType(SchemaType.ARRAY).items(string(null))
                        .description("Every invalid input, when there are several"))
                .required(List.of("type", "title", "status", "instance", "requestId"));
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(SchemaType.STRING).description(description);
    }

    private static String capitalized(String text) {
        return text.startsWith("`") ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
