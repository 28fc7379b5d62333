package dev.tally.job.builtin;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/** Small checks the built-in handlers share for their payloads. */
final class Payloads {

    private Payloads() {
    }

    static void onlyFields(JsonNode payload, List<String> errors, String... allowed) {
        if (!payload.isObject()) {
            errors.add("payload: must be a JSON object");
            return;
        }
        Set<String> known = Set.of(allowed);
        for (Iterator<String> names = payload.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!known.contains(name)) {
                errors.add(name + ": unknown field (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    static void integer(JsonNode payload, String field, long min, long max, boolean required, List<String> errors) {
        JsonNode value = payload.get(field);
        if (value == null) {
            if (required) {
                errors.add(field + ": required, an integer " + min + "-" + max);
            }
            return;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
            errors.add(field + ": must be an integer " + min + "-" + max);
        }
    }
}
