package dev.tally.job;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.server.Cancellable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.guard.Deadline;
import dev.tally.web.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * Background jobs: submit (validated against the type's handler, then queued), read, cancel. Every replica
 * accepts jobs, whatever its role; only worker replicas run them. Handlers only talk to Redis (event loop).
 */
@Deadline
@Cancellable
@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private static final String PATH = "/api/v1/jobs/";

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
    public Uni<Response> submit(SubmitJob body) {
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
        String id = JobId.generate();
        Instant now = Instant.now();
        JobView queued = new JobView(id, type, JobStatus.QUEUED, 0, 0, now, null, null, now, null, null, null, null,
                null);
        return store.submit(id, type, payloadJson)
                .map(entry -> Response.accepted(queued).location(URI.create(PATH + id)).build());
    }

    @GET
    @Path("{id}")
    public Uni<JobView> get(@RestPath String id) {
        return view(requireShape(id));
    }

    /**
     * 200 with the cancelled job when it had not started (it never will); 202 when it is running (the worker is
     * told to stop; the status turns {@code cancelled} when it has); 409 when it had already finished.
     */
    @DELETE
    @Path("{id}")
    public Uni<Response> cancel(@RestPath String id) {
        return store.cancel(requireShape(id)).flatMap(before -> {
            if (before.isEmpty()) {
                return Uni.createFrom().failure(notFound(id));
            }
            JobStatus status = before.get();
            return view(id).map(job -> switch (status) {
                case QUEUED, CANCELLED -> Response.ok(job).build();
                case RUNNING -> Response.accepted(job).build();
                case SUCCEEDED, FAILED, DEAD -> throw ProblemException.conflict("job-finished", "Job already finished",
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
