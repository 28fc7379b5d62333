package dev.tally.job.builtin;

import java.util.List;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.job.JobContext;
import dev.tally.job.JobHandler;

/** {@code noop}: does nothing and succeeds at once; what the jobs benchmark measures the queue itself with. */
@Singleton
public class NoopHandler implements JobHandler {

    @Override
    public String type() {
        return "noop";
    }

    @Override
    public Kind kind() {
        return Kind.BLOCKING;
    }

    @Override
    public List<String> validate(JsonNode payload) {
        return payload.isObject() && payload.isEmpty() ? List.of() : List.of("payload: must be {} (or omitted)");
    }

    @Override
    public JsonNode run(JsonNode payload, JobContext context) {
        return null;
    }
}
