package dev.tally.session;

import java.util.Optional;
import java.util.function.Function;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.Cancellable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.guard.Deadline;
import dev.tally.web.ProblemException;
import dev.tally.web.ProblemResponses;
import io.smallrye.mutiny.Uni;

/**
 * The caller's server-side session, found through the session cookie ({@link SessionCookies}). Every answer,
 * refusals included, is {@code Cache-Control: no-store} ({@link NoStore}): it is one user's data.
 */
@NoStore
@Deadline
@Cancellable
@Path("/api/v1/sessions")
@Tag(name = "sessions", description = "The caller's session, found through the HttpOnly cookie "
        + "`__Host-TALLY_SESSION` (`TALLY_SESSION` when `tally.session.cookie-secure=false`); never cached")
@APIResponse(responseCode = "503", description = ProblemResponses.STORE_UNAVAILABLE)
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    private static final String NO_SESSION = "`no-session`: no live session for this request";
    private static final String BAD_ATTRIBUTES = "`invalid-attributes`: the body is not a JSON object; "
            + "`invalid-input`: bad attribute names; `malformed-json`: not JSON";
    private static final String LIMITS = "`too-many-attributes`: over `tally.session.max-attributes`; "
            + "`attribute-too-large`: a value over `tally.session.max-attribute-bytes`; "
            + "`too-many-changes`: more fields than twice `tally.session.max-attributes`";

    // The OpenAPI document's examples of a session (SessionView as JSON).
    private static final String CREATED_EXAMPLE = "{\"attributes\":{\"user\":\"ann\"},\"visits\":0,"
            + "\"createdAt\":\"2026-12-01T14:00:00Z\",\"expiresAt\":\"2026-12-01T14:30:00Z\"}";
    private static final String SESSION_EXAMPLE = "{\"attributes\":{\"user\":\"ann\"},\"visits\":3,"
            + "\"createdAt\":\"2026-12-01T14:00:00Z\",\"expiresAt\":\"2026-12-01T14:35:00Z\"}";
    private static final String PATCHED_EXAMPLE = "{\"attributes\":{\"user\":\"ann\",\"theme\":\"dark\"},"
            + "\"visits\":3,\"createdAt\":\"2026-12-01T14:00:00Z\",\"expiresAt\":\"2026-12-01T14:36:00Z\"}";

    static final String MERGE_PATCH_JSON = "application/merge-patch+json";
    /** Sent as is, relative (see job/JobResource): never built from the request's Host. */
    private static final String CURRENT = "/api/v1/sessions/current";

    private final SessionStore store;
    private final SessionCookies cookies;
    private final AttributeRules rules;

    SessionResource(SessionStore store, SessionCookies cookies, AttributeRules rules) {
        this.store = store;
        this.cookies = cookies;
        this.rules = rules;
    }

    /** Always a fresh id (never adopts one the client offers), replacing any session the caller had. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a session (optional body: its first attributes), replacing the caller's")
    @APIResponse(responseCode = "201", description = "Created; `Set-Cookie: __Host-TALLY_SESSION=...`",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = SessionView.class),
                    examples = @ExampleObject(name = "created", value = CREATED_EXAMPLE)))
    @APIResponse(responseCode = "400", description = BAD_ATTRIBUTES)
    @APIResponse(responseCode = "422", description = LIMITS)
    public Uni<Response> create(HttpHeaders headers, @RequestBody(required = false) JsonNode attributes) {
        Uni<Void> dropPrevious = cookies.idIn(headers).map(store::delete)
                .orElseGet(() -> Uni.createFrom().voidItem());
        var changes = rules.forCreate(attributes);
        return dropPrevious.flatMap(ignored -> store.create(changes))
                .map(created -> Response.status(Response.Status.CREATED).header(HttpHeaders.LOCATION, CURRENT)
                        .header(SessionCookies.HEADER, cookies.issue(created.getKey()))
                        .entity(created.getValue())
                        .build());
    }

    @GET
    @Path("current")
    @Operation(summary = "The caller's session (slides its expiry)")
    @APIResponse(responseCode = "200", description = "The session", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionView.class),
            examples = @ExampleObject(name = "session", value = SESSION_EXAMPLE)))
    @APIResponse(responseCode = "404", description = NO_SESSION)
    public Uni<SessionView> read(HttpHeaders headers) {
        return withSession(headers, store::read);
    }

    @PATCH
    @Path("current")
    @Operation(summary = "Merge attributes (JSON merge patch: null deletes); all or nothing")
    @APIResponse(responseCode = "200", description = "The session after the patch", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionView.class),
            examples = @ExampleObject(name = "patched", value = PATCHED_EXAMPLE)))
    @APIResponse(responseCode = "400", description = BAD_ATTRIBUTES)
    @APIResponse(responseCode = "404", description = NO_SESSION)
    @APIResponse(responseCode = "422", description = LIMITS)
    @Consumes({ MERGE_PATCH_JSON, MediaType.APPLICATION_JSON })
    public Uni<SessionView> patch(HttpHeaders headers, JsonNode patch) {
        var changes = rules.forPatch(patch);
        return withSession(headers, id -> store.patch(id, changes));
    }

    @POST
    @Path("current/visits")
    @Operation(summary = "Count a visit, atomically across replicas")
    @APIResponse(responseCode = "200", description = "The visits so far", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Visits.class),
            examples = @ExampleObject(name = "visits", value = "{\"visits\":3}")))
    @APIResponse(responseCode = "404", description = NO_SESSION)
    public Uni<Visits> visit(HttpHeaders headers) {
        return withSession(headers, store::visit).map(Visits::new);
    }

    /** Idempotent: with or without a live session the answer is 204 and a cleared cookie. */
    @DELETE
    @Path("current")
    @Operation(summary = "Invalidate the session and clear the cookie (also without a session)")
    @APIResponse(responseCode = "204", description = "Invalidated")
    public Uni<Response> invalidate(HttpHeaders headers) {
        Uni<Void> delete = cookies.idIn(headers).map(store::delete).orElseGet(() -> Uni.createFrom().voidItem());
        return delete.map(ignored -> Response.noContent().header(SessionCookies.HEADER, cookies.clear()).build());
    }

    private <T> Uni<T> withSession(HttpHeaders headers, Function<String, Uni<Optional<T>>> action) {
        return cookies.idIn(headers)
                .map(action)
                .orElseGet(() -> Uni.createFrom().item(Optional.empty()))
                .map(found -> found.orElseThrow(SessionResource::noSession));
    }

    private static ProblemException noSession() {
        return ProblemException.notFound("no-session",
                "There is no session for this request; create one with POST /api/v1/sessions");
    }
}
