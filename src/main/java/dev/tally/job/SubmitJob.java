package dev.tally.job;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

/** The body of {@code POST /api/v1/jobs}: the handler type and its payload (default {@code {}}). */
public record SubmitJob(@Schema(example = "sleep") String type,
        @Schema(example = "{\"ms\": 5000}", description = "Default {}") JsonNode payload) {
}
