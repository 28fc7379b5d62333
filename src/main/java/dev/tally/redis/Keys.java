package dev.tally.redis;

import java.util.Optional;

import jakarta.inject.Singleton;

/**
 * The only place Redis key names are made. Keys that one script touches together share a hash tag
 * ({@code {c:NAME}}, {@code {s:ID}}), so every script runs unchanged on a single Redis, Sentinel or Cluster.
 * Callers pass names that their feature has already validated; nothing here trusts raw input.
 */
@Singleton
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

    // Jobs are spread over shards (tally.job.shards); every key of one shard shares its hash tag: the submit, start,
    // finish and re-drive scripts touch the shard's stream, a job record and the retry/dead-letter keys together.
    private static final String JOBS_TAG = "jobs";

    /**
     * The keys of shard {@code index} of a layout of {@code count} shards ({@code 1 <= count <= }
     * {@value #MAX_JOB_SHARDS}, {@code 0 <= index < count}). The one shard of a layout of one keeps the tag
     * {@code {jobs}} that every job key had before shards. In a larger layout shard {@code index}'s tag is
     * {@code jobs:COUNT.INDEX.K} with the smallest {@code K} whose slot lies in the {@code index}-th of
     * {@code count} equal parts of the 16384 slots: on a Cluster whose masters split the slots evenly (as
     * {@code redis-cli --cluster create} does) a layout of a multiple of the masters puts as many shards on each.
     */
    public JobKeys jobShard(int count, int index) {
        if (count < 1 || count > MAX_JOB_SHARDS || index < 0 || index >= count) {
            throw new IllegalArgumentException("no job shard " + index + " of " + count);
        }
        if (count == 1) {
            return new JobKeys(prefix + "{" + JOBS_TAG + "}:");
        }
        long from = (long) index * HashSlots.COUNT / count;
        long to = (long) (index + 1) * HashSlots.COUNT / count;
        for (int k = 0;; k++) {
            String tag = JOBS_TAG + ":" + count + "." + index + "." + k;
            int slot = HashSlots.slot(tag);
            if (slot >= from && slot < to) {
                return new JobKeys(prefix + "{" + tag + "}:");
            }
        }
    }

    /** The most shards a layout may have: each then still owns 16 slots to find its tag in. */
    public static final int MAX_JOB_SHARDS = 1024;

    /**
     * A sorted set whose members are the shard counts any replica has used ({@code tally.job.shards}, scored by
     * themselves): workers read every shard of every layout in it, so jobs queued under an earlier count are never
     * left behind.
     */
    public String jobLayouts() {
        return prefix + "{" + JOBS_TAG + "}:layouts";
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
