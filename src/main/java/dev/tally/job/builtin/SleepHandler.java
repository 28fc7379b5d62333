package dev.tally.job.builtin;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.tally.job.JobContext;
import dev.tally.job.JobFailure;
import dev.tally.job.JobHandler;

/**
 * {@code sleep}: the stand-in for blocking I/O (a slow downstream call), on a virtual thread. Payload
 * {@code {"ms": 0-600000}}, reporting progress as it goes. For demonstrating retries and the dead-letter list it
 * can fail on purpose: {@code "failAttempts": n} fails attempts 1..n (so a re-drive, which continues the attempt
 * count, eventually succeeds), and {@code "permanent": true} makes those failures permanent.
 */
@Singleton
public class SleepHandler implements JobHandler {

    static final long MAX_MS = 600_000;
    private static final int STEPS = 20;

    @Override
    public String type() {
        return "sleep";
    }

    @Override
    public Kind kind() {
        return Kind.BLOCKING;
    }

    @Override
    public List<String> validate(JsonNode payload) {
        List<String> errors = new ArrayList<>();
        Payloads.onlyFields(payload, errors, "ms", "failAttempts", "permanent");
        Payloads.integer(payload, "ms", 0, MAX_MS, true, errors);
        Payloads.integer(payload, "failAttempts", 0, 100, false, errors);
        if (payload.has("permanent") && !payload.get("permanent").isBoolean()) {
            errors.add("permanent: must be true or false");
        }
        return errors;
    }

    @Override
    public JsonNode run(JsonNode payload, JobContext context) throws Exception {
        if (context.attempt() <= payload.path("failAttempts").asInt(0)) {
            String message = "failing attempt " + context.attempt() + " on purpose (failAttempts="
                    + payload.get("failAttempts").asInt() + ")";
            throw payload.path("permanent").asBoolean(false) ? JobFailure.permanent(message)
                    : JobFailure.retryable(message);
        }
        long ms = payload.get("ms").asLong();
        for (int step = 1; step <= STEPS; step++) {
            Thread.sleep(ms / STEPS + (step <= ms % STEPS ? 1 : 0)); // interrupted when cancelled or released
            context.progress(step * 100 / STEPS);
        }
        return JsonNodeFactory.instance.objectNode().put("sleptMs", ms);
    }
}
