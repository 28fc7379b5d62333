package dev.tally.job;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.server.Cancellable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.auth.Caller;
import dev.tally.auth.Scope;
import dev.tally.guard.Deadline;
import dev.tally.web.ProblemException;
import dev.tally.web.ProblemResponses;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Background jobs: submit (validated against the type's handler, then queued), read, cancel. Every replica
 * accepts jobs, whatever its role; only worker replicas run them. Handlers only talk to Redis (event loop).
 * A job belongs to the caller that submitted it: a caller without {@code jobs:admin} reads and cancels only its
 * own, and another's is a 404, as if it did not exist.
 */
@Deadline
@Cancellable
@Path("/api/v1/jobs")
@Tag(name = "jobs", description = "Background jobs, run at least once by worker replicas (docs/api.md, Jobs)")
@APIResponse(responseCode = "503", description = ProblemResponses.STORE_UNAVAILABLE)
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private static final String PATH = "/api/v1/jobs/";
    private static final String NOT_FOUND = "`job-not-found`: an unknown or expired job id";

    private final JobStore store;
    private final JobHandlers handlers;
    private final JobSettings settings;
    private final ObjectMapper json;

    public JobResource(JobStore store, JobHandlers handlers, JobSettings settings, ObjectMapper json) {
        this.store = store;
        this.handlers = handlers;
        this.settings = settings;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Queue a job of a type a handler serves (sleep, digest, noop)")
    @APIResponse(responseCode = "202", description = "Queued; `Location: /api/v1/jobs/{id}`",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class),
                    examples = @ExampleObject(name = "queued", value = JobExamples.QUEUED)))
    @APIResponse(responseCode = "400", description = "`invalid-job`: no type; `unknown-job-type`: no handler serves "
            + "it; `invalid-input`: the handler refuses the payload (errors says why); `malformed-json`: not JSON")
    @APIResponse(responseCode = "413", description = "`job-payload-too-large`: over `tally.job.max-payload-bytes`")
    @APIResponse(responseCode = "503", description = ProblemResponses.STORE_UNAVAILABLE
            + "; `job-queue-full`: `tally.job.max-outstanding` jobs are queued or running")
    public Uni<Response> submit(SubmitJob body, @Context RoutingContext routing) {
        if (body == null || body.type() == null || body.type().isBlank()) {
            throw ProblemException.badRequest("invalid-job", "The body must be {\"type\": ..., \"payload\": ...}");
        }
        String type = body.type();
        JobHandler handler = handlers.forType(type).orElseThrow(() -> ProblemException.badRequest(
                "unknown-job-type", "No job type '" + type + "'; known types: " + String.join(", ", handlers.types())));
        JsonNode payload = body.payload() == null || body.payload().isNull() ? json.createObjectNode() : body.payload();
        String payloadJson = compact(payload);
        int size = payloadJson.getBytes(StandardCharsets.UTF_8).length;
        if (size > settings.maxPayloadBytes()) {
            throw ProblemException.tooLarge("job-payload-too-large", "The payload is " + size
                    + " bytes as JSON; jobs take at most " + settings.maxPayloadBytes());
        }
        List<String> errors = handler.validate(payload);
        if (!errors.isEmpty()) {
            throw ProblemException.invalidInput("The payload is not valid for job type '" + type + "'", errors);
        }
        // The record stores epoch milliseconds: the answer shows the same instant a GET shows, not a finer one.
        long createdAt = System.currentTimeMillis();
        return store.submit(type, payloadJson, Caller.of(routing).identity(), createdAt).map(id -> {
            Instant now = Instant.ofEpochMilli(createdAt);
            JobView queued = new JobView(id, type, JobStatus.QUEUED, 0, 0, now, null, null, now, null, null, null,
                    null, null);
            // A relative Location (RFC 9110 allows it): Response.location() would resolve it against the request's
            // Host, which a client sets (a forged one was reflected) and which behind a published port is not
            // the one the client used; the path alone is followable from wherever the client came.
            return Response.accepted(queued).header(HttpHeaders.LOCATION, PATH + id).build();
        });
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A job: status, attempts, progress, timestamps, result or error")
    @APIResponse(responseCode = "200", description = "The job", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class), examples = {
                @ExampleObject(name = "queued", value = JobExamples.QUEUED),
                @ExampleObject(name = "running", value = JobExamples.RUNNING),
                @ExampleObject(name = "succeeded", value = JobExamples.SUCCEEDED) }))
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    public Uni<JobView> get(@RestPath String id, @Context RoutingContext routing) {
        Optional<String> owner = ownerToMatch(routing);
        return store.get(requireShape(id)).map(job -> {
            if (job == null || owner.isPresent() && !owner.get().equals(job.owner())) {
                throw notFound(id);
            }
            return JobView.of(id, job, json);
        });
    }

    /**
     * 200 with the cancelled job when it had not started (it never will); 202 when it is running (the worker is
     * told to stop; the status turns {@code cancelled} when it has); 409 when it had already finished.
     */
    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel a job")
    @APIResponse(responseCode = "200", description = "Cancelled before it started; it never will",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class),
                    examples = @ExampleObject(name = "cancelled", value = JobExamples.CANCELLED)))
    @APIResponse(responseCode = "202", description = "Running: its worker is told to stop",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class),
                    examples = @ExampleObject(name = "stopping", value = JobExamples.CANCEL_REQUESTED)))
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    @APIResponse(responseCode = "409", description = "`job-finished`: it already succeeded, failed or died")
    public Uni<Response> cancel(@RestPath String id, @Context RoutingContext routing) {
        return store.cancel(requireShape(id), ownerToMatch(routing)).flatMap(before -> {
            if (before.isEmpty()) {
                return Uni.createFrom().failure(notFound(id));
            }
            JobStatus status = before.get();
            return view(id).map(job -> switch (status) {
                case QUEUED, CANCELLED -> Response.ok(job).build();
                case RUNNING -> Response.accepted(job).build();
                case SUCCEEDED, FAILED, DEAD -> throw ProblemException.conflict("job-finished",
                        "Job " + id + " is " + status.wireName() + "; only queued or running jobs can be cancelled");
            });
        });
    }

    private Uni<JobView> view(String id) {
        return store.get(id).map(job -> {
            if (job == null) {
                throw notFound(id);
            }
            return JobView.of(id, job, json);
        });
    }

    /** Whose jobs the caller may see: empty for any (jobs:admin), else only its own. */
    private static Optional<String> ownerToMatch(RoutingContext routing) {
        Caller caller = Caller.of(routing);
        return caller.has(Scope.JOBS_ADMIN) ? Optional.empty() : Optional.of(caller.identity());
    }

    private static String requireShape(String id) {
        if (!JobId.isValid(id)) {
            throw notFound(id);
        }
        return id;
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("job-not-found",
                "No job " + id + " (unknown, or its record expired after the retention period)");
    }

    private String compact(JsonNode payload) {
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serializes", e);
        }
    }
}
