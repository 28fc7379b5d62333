package dev.tally.job;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A job as clients see it; fields that do not apply yet are left out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String id, String type, JobStatus status, long attempts, int progress, Instant createdAt,
        Instant startedAt, Instant finishedAt, Instant updatedAt, Instant retryAt, JsonNode result, String error,
        Boolean cancelRequested, String worker) {

    static JobView of(String id, JobRecord job, ObjectMapper json) {
        return new JobView(id, job.type(), job.status(), job.attempts(), job.progress(), instant(job.createdAt()),
                instant(job.startedAt()), instant(job.finishedAt()), instant(job.updatedAt()),
                job.status() == JobStatus.QUEUED ? instant(job.retryAt()) : null, result(job.result(), json),
                job.error(), job.cancelRequested() ? Boolean.TRUE : null, job.worker());
    }

    private static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static JsonNode result(String text, ObjectMapper json) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored job result is not JSON", e);
        }
    }
}
