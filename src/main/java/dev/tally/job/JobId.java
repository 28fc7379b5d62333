package dev.tally.job;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.tally.redis.Keys;

/**
 * Job ids: 128 random bits, base64url without padding (22 characters), like session ids, then the job's shard:
 * nothing when the queue has one shard (so ids look as they did before shards), else {@code .COUNT.INDEX}
 * ({@link JobShard#idSuffix}). Reading, cancelling or re-driving a job goes straight to its shard.
 */
final class JobId {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{22}(?:\\.([1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3}))?");
    private static final JobShard ONLY = new JobShard(1, 0);

    private JobId() {
    }

    static String generate(JobShard shard) {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits) + shard.idSuffix();
    }

    /** The shard an id names; empty when it cannot name a job (answered as "no such job", never used in a key). */
    static Optional<JobShard> shardOf(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Matcher shape = SHAPE.matcher(id);
        if (!shape.matches()) {
            return Optional.empty();
        }
        if (shape.group(1) == null) {
            return Optional.of(ONLY);
        }
        int count = Integer.parseInt(shape.group(1));
        int index = Integer.parseInt(shape.group(2));
        // ".1.0" would be a second spelling of the bare id's shard: one job, one id.
        return count >= 2 && count <= Keys.MAX_JOB_SHARDS && index < count ? Optional.of(new JobShard(count, index))
                : Optional.empty();
    }

    static boolean isValid(String id) {
        return shardOf(id).isPresent();
    }
}
