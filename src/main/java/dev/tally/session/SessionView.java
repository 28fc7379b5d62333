package dev.tally.session;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** A session as the API shows it. The id is never in the body: it lives only in the HttpOnly cookie. */
public record SessionView(Map<String, JsonNode> attributes, long visits, Instant createdAt, Instant expiresAt) {
}
