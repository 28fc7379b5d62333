package dev.tally.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading parsed YAML (SnakeYAML's maps and lists) in the deployment tests: absent is empty, a wrong shape fails. */
final class YamlValues {

    private YamlValues() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        if (value == null) {
            return new LinkedHashMap<>();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new AssertionError("expected a mapping, got " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        if (value == null) {
            return new ArrayList<>();
        }
        if (!(value instanceof List<?>)) {
            throw new AssertionError("expected a list, got " + value);
        }
        return (List<Object>) value;
    }

    static String str(Object value) {
        return value == null ? "" : String.valueOf(value);
    }
}
