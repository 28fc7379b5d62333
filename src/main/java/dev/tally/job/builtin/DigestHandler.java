package dev.tally.job.builtin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.tally.job.JobContext;
import dev.tally.job.JobHandler;

/**
 * {@code digest}: the stand-in for CPU-heavy work, on the worker's bounded CPU pool. Payload
 * {@code {"text": "...", "iterations": 1-50000000}}: SHA-256 of the text, then of the digest, {@code iterations}
 * times. Checks for cancellation every 1,024 rounds.
 */
@Singleton
public class DigestHandler implements JobHandler {

    static final long MAX_ITERATIONS = 50_000_000;

    @Override
    public String type() {
        return "digest";
    }

    @Override
    public Kind kind() {
        return Kind.CPU;
    }

    @Override
    public List<String> validate(JsonNode payload) {
        List<String> errors = new ArrayList<>();
        Payloads.onlyFields(payload, errors, "text", "iterations");
        if (!payload.path("text").isTextual()) {
            errors.add("text: required, a string");
        }
        Payloads.integer(payload, "iterations", 1, MAX_ITERATIONS, true, errors);
        return errors;
    }

    @Override
    public JsonNode run(JsonNode payload, JobContext context) throws InterruptedException {
        long iterations = payload.get("iterations").asLong();
        MessageDigest sha256 = sha256();
        byte[] state = payload.get("text").asText().getBytes(StandardCharsets.UTF_8);
        long tenth = Math.max(1, iterations / 10);
        for (long i = 0; i < iterations; i++) {
            if ((i & 0x3FF) == 0 && (Thread.interrupted() || context.cancelled())) {
                throw new InterruptedException("digest stopped after " + i + " rounds");
            }
            state = sha256.digest(state);
            if ((i + 1) % tenth == 0) {
                context.progress((int) Math.min(99, (i + 1) * 100 / iterations));
            }
        }
        return JsonNodeFactory.instance.objectNode().put("iterations", iterations)
                .put("sha256", HexFormat.of().formatHex(state));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
