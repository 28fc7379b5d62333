package dev.tally.job;

import com.fasterxml.jackson.databind.JsonNode;

/** The body of {@code POST /api/v1/jobs}: the handler type and its payload (default {@code {}}). */
public record SubmitJob(String type, JsonNode payload) {
}
