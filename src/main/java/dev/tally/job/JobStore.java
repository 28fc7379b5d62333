package dev.tally.job;

import java.util.List;
import java.util.Optional;

import jakarta.inject.Singleton;

import dev.tally.redis.JobKeys;
import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import dev.tally.redis.Replies;
import dev.tally.redis.ScriptRefusal;
import dev.tally.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * Jobs in Redis, spread over the {@link JobShards}: per shard one stream with one consumer group (the queue), a hash
 * per job (its record), a sorted set of retries waiting out their backoff, and a dead-letter stream. Every step
 * that touches more than one of them is one Lua script on one shard, so a crash between two commands can never
 * lose or duplicate a job; a job's id names its shard, so no step needs to look for it. This class holds the API's
 * steps (submit, read, cancel, re-drive); {@link WorkerStore} the worker's.
 */
@Singleton
public class JobStore {

    /** The one consumer group; each worker replica is one consumer in it, named by its instance id. */
    static final String GROUP = "tally-workers";

    private final RedisGateway redis;
    private final JobShards shards;
    private final JobSettings settings;
    private final long retentionMs;
    private final int perShardOutstanding;
    private final LuaScript submit = LuaScript.load("job_submit");
    private final LuaScript requeue = LuaScript.load("job_requeue");
    private final LuaScript cancel = LuaScript.load("job_cancel");

    public JobStore(RedisGateway redis, JobShards shards, JobSettings settings) {
        if (settings.retention().compareTo(settings.worker().visibilityTimeout()) <= 0) {
            // A dead worker's job is taken over only after the visibility timeout; a record that expires sooner
            // (renewals restart it, a dead worker's stop) leaves the job with nothing to run from or report to.
            throw new IllegalArgumentException("tally.job.retention (" + settings.retention()
                    + ") must be longer than tally.job.worker.visibility-timeout ("
                    + settings.worker().visibilityTimeout() + ")");
        }
        this.redis = redis;
        this.shards = shards;
        this.settings = settings;
        this.retentionMs = settings.retention().toMillis();
        // The bound is shared out: a shard refuses past its part, a submit tries the next shard (see submit).
        this.perShardOutstanding = (settings.maxOutstanding() + settings.shards() - 1) / settings.shards();
    }

    JobShards shards() {
        return shards;
    }

    /**
     * Queues a new job on a shard of this replica's layout (a random one first, then the next while one is full);
     * the item is its id. {@code createdAt}: epoch ms, stored as the record's creation time. {@code owner}: the
     * submitting caller's identity, which the record keeps (see {@link JobRecord#owner}).
     */
    public Uni<String> submit(String type, String payloadJson, String owner, long createdAt) {
        return submit(shards.submitOrder(), 0, type, payloadJson, owner, createdAt);
    }

    private Uni<String> submit(List<JobShard> order, int attempt, String type, String payloadJson, String owner,
            long createdAt) {
        Uni<String> queued = submit(order.get(attempt), type, payloadJson, owner, createdAt);
        if (attempt + 1 < order.size()) {
            return queued.onFailure(failure -> ScriptRefusal.of(failure, "FULL").isPresent())
                    .recoverWithUni(() -> submit(order, attempt + 1, type, payloadJson, owner, createdAt));
        }
        return queued.onFailure().transform(ScriptRefusal.becomes("FULL", full -> ProblemException.unavailable(
                "job-queue-full", "Too many jobs are outstanding (every shard holds " + full.detail() + "); retry later",
                5)));
    }

    /** Queues a new job on {@code shard}; the item is its id. */
    Uni<String> submit(JobShard shard, String type, String payloadJson, String owner, long createdAt) {
        String jobId = JobId.generate(shard);
        JobKeys k = shards.keys(shard);
        return redis.write(submit, List.of(k.stream(), k.job(jobId)),
                List.of(jobId, type, payloadJson, Long.toString(createdAt), Long.toString(retentionMs),
                        Integer.toString(settings.maxAttempts()), Integer.toString(perShardOutstanding), owner))
                .replaceWith(jobId);
    }

    /** The job's record; null when the job does not exist (or expired). */
    Uni<JobRecord> get(String jobId) {
        return redis.command("HGETALL", shards.keysOf(jobId).job(jobId)).map(reply -> JobRecord.from(Replies.fields(reply)));
    }

    /**
     * The status the job had before the cancel; empty for an unknown job, or one not owned by {@code owner}
     * (empty: any owner), checked in the same script.
     */
    Uni<Optional<JobStatus>> cancel(String jobId, Optional<String> owner) {
        JobKeys k = shards.keysOf(jobId);
        return redis.write(cancel, List.of(k.job(jobId), k.retries()),
                List.of(jobId, now(), Long.toString(retentionMs), owner.orElse(""))).map(ScriptAnswers::cancel);
    }

    /** Re-queues a dead job with a fresh allowance of attempts; false when the job is not dead (or unknown). */
    public Uni<Boolean> redrive(String jobId) {
        return requeue(jobId, "redrive", "", settings.maxAttempts()).map(ScriptAnswers::requeued);
    }

    /** Puts a job back on the stream under a new entry ({@code job_requeue}): a re-drive, a due retry, a release. */
    Uni<Response> requeue(String jobId, String from, String entryId, int granted) {
        JobKeys k = shards.keysOf(jobId);
        return redis.script(requeue, List.of(k.stream(), k.job(jobId), k.retries(), k.deadLetters()),
                List.of(GROUP, jobId, from, entryId, now(), Long.toString(retentionMs), Integer.toString(granted)));
    }

    static String now() {
        return Long.toString(System.currentTimeMillis());
    }
}
