package dev.tally.redis;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The only place Redis key names are made. Keys that one script touches together share a hash tag
 * ({@code {c:NAME}}, {@code {s:ID}}), so every script runs unchanged on a single Redis, Sentinel or Cluster.
 * Callers pass names that their feature has already validated; nothing here trusts raw input.
 */
@ApplicationScoped
public class Keys {

    private static final String COUNTER_TAG = "{c:";
    private static final String COUNTER_VALUE_SUFFIX = "}:value";

    private final String prefix;

    public Keys(RedisSettings settings) {
        this.prefix = settings.keyPrefix();
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            // A brace in the prefix would become the hash tag and put every key in one Cluster slot.
            throw new IllegalArgumentException("tally.redis.key-prefix must not contain '{' or '}': " + prefix);
        }
    }

    public String counterValue(String counterName) {
        return prefix + COUNTER_TAG + counterName + COUNTER_VALUE_SUFFIX;
    }

    public String counterIdempotency(String counterName, String idempotencyKey) {
        return prefix + COUNTER_TAG + counterName + "}:idem:" + idempotencyKey;
    }

    /** A SCAN pattern for the value keys of counters whose names start with {@code namePrefix}. */
    public String counterValuePattern(String namePrefix) {
        return globEscape(prefix + COUNTER_TAG + namePrefix) + "*" + COUNTER_VALUE_SUFFIX;
    }

    /** The counter name inside a value key, or empty when the key is not one. */
    public Optional<String> counterNameOf(String valueKey) {
        String head = prefix + COUNTER_TAG;
        if (!valueKey.startsWith(head) || !valueKey.endsWith(COUNTER_VALUE_SUFFIX)) {
            return Optional.empty();
        }
        return Optional.of(valueKey.substring(head.length(), valueKey.length() - COUNTER_VALUE_SUFFIX.length()));
    }

    public String session(String sessionId) {
        return prefix + "{s:" + sessionId + "}";
    }

    /**
     * The cluster view's index: a sorted set of replica ids scored by their last publish time (Redis' clock).
     * It shares the {@code {ops}} hash tag with the snapshots, so one script updates both, also on a Cluster.
     */
    public String replicaIndex() {
        return prefix + "{ops}:replicas";
    }

    /** One replica's latest snapshot (JSON), expiring a few seconds after the replica stops publishing. */
    public String replicaSnapshot(String instanceId) {
        return prefix + "{ops}:replica:" + instanceId;
    }

    private static String globEscape(String literal) {
        StringBuilder escaped = new StringBuilder(literal.length() + 8);
        for (char c : literal.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
