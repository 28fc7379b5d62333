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
    private static final String COUNTER_CHANGES_SUFFIX = "}:changes";

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

    /** How many changes the counter has had; only grows, across resets too (live feeds order messages by it). */
    public String counterVersion(String counterName) {
        return prefix + COUNTER_TAG + counterName + "}:version";
    }

    /** The pub/sub channel that announces every change of the counter (see {@code live/}). */
    public String counterChanges(String counterName) {
        return prefix + COUNTER_TAG + counterName + COUNTER_CHANGES_SUFFIX;
    }

    /** The counter name inside a change channel, or empty when the channel is not one. */
    public Optional<String> counterNameOfChanges(String channel) {
        return between(channel, prefix + COUNTER_TAG, COUNTER_CHANGES_SUFFIX);
    }

    /**
     * An idempotency record, per caller: one caller can neither replay nor burn another's key. {@code caller} is
     * an identity without ':' ({@code auth/Caller}), so the caller and the key never run into each other.
     */
    public String counterIdempotency(String counterName, String caller, String idempotencyKey) {
        return prefix + COUNTER_TAG + counterName + "}:idem:" + caller + ":" + idempotencyKey;
    }

    /** A SCAN pattern for the value keys of counters whose names start with {@code namePrefix}. */
    public String counterValuePattern(String namePrefix) {
        return globEscape(prefix + COUNTER_TAG + namePrefix) + "*" + COUNTER_VALUE_SUFFIX;
    }

    /** The counter name inside a value key, or empty when the key is not one. */
    public Optional<String> counterNameOf(String valueKey) {
        return between(valueKey, prefix + COUNTER_TAG, COUNTER_VALUE_SUFFIX);
    }

    public String session(String sessionId) {
        return prefix + "{s:" + sessionId + "}";
    }

    // Every job key shares one hash tag: the submit, start, finish and re-drive scripts touch the stream, the job
    // record and the retry/dead-letter keys together. One stream is one slot on a Cluster anyway.
    private static final String JOBS_TAG = "{jobs}:";

    public String jobStream() {
        return prefix + JOBS_TAG + "stream";
    }

    /** Sorted set of job ids waiting out a retry backoff, scored by when they are due (epoch ms). */
    public String jobRetries() {
        return prefix + JOBS_TAG + "retries";
    }

    public String jobDeadLetters() {
        return prefix + JOBS_TAG + "dead";
    }

    /** A job's record (a hash); {@code jobId} has been validated by the caller. */
    public String job(String jobId) {
        return prefix + JOBS_TAG + "job:" + jobId;
    }

    // API keys share one hash tag: creating and revoking touch a key's record and the name index together.
    private static final String AUTH_TAG = "{auth}:";

    /** An API key's record (a hash: name, scopes, secret hash, times), by the id part of the key. */
    public String apiKey(String keyId) {
        return prefix + AUTH_TAG + "key:" + keyId;
    }

    /** The index of API keys: a hash from name to id (names are unique; its length bounds the number of keys). */
    public String apiKeyNames() {
        return prefix + AUTH_TAG + "names";
    }

    /**
     * A caller's request count in the current quota window ({@code auth/Quota}): {@code subject} is
     * {@code key-<id>} or {@code addr-<client address>}, which holds neither brace. Expires with its window.
     */
    public String quotaWindow(String subject) {
        return prefix + "{q:" + subject + "}";
    }

    /**
     * A key that is never read or written, only declared by {@code keyspace_scan.lua} so that a Redis Cluster client
     * sends the script to the master of the tag's slot ({@link KeySpace}).
     */
    String slotAnchor(String tag) {
        return prefix + "{" + tag + "}:anchor";
    }

    private static Optional<String> between(String text, String head, String tail) {
        if (text.length() < head.length() + tail.length() || !text.startsWith(head) || !text.endsWith(tail)) {
            return Optional.empty();
        }
        return Optional.of(text.substring(head.length(), text.length() - tail.length()));
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
