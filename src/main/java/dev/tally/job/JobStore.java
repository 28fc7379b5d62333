package dev.tally.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.tally.redis.JobKeys;
import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import dev.tally.redis.RedisReplyException;
import dev.tally.redis.Replies;
import dev.tally.redis.ScriptRefusal;
import dev.tally.redis.StreamItem;
import dev.tally.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Response;

/**
 * Jobs in Redis, spread over the {@link JobShards}: per shard one stream with one consumer group (the queue), a hash
 * per job (its record), a sorted set of retries waiting out their backoff, and a dead-letter stream. Every step
 * that touches more than one of them is one Lua script on one shard, so a crash between two commands can never
 * lose or duplicate a job; a job's id names its shard, so no step needs to look for it.
 */
@ApplicationScoped
public class JobStore {

    /** The one consumer group; each worker replica is one consumer in it, named by its instance id. */
    static final String GROUP = "tally-workers";

    private final RedisGateway redis;
    private final JobShards shards;
    private final JobSettings settings;
    private final long retentionMs;
    private final int perShardOutstanding;
    private final LuaScript submit = LuaScript.load("job_submit");
    private final LuaScript start = LuaScript.load("job_start");
    private final LuaScript finish = LuaScript.load("job_finish");
    private final LuaScript retry = LuaScript.load("job_retry");
    private final LuaScript requeue = LuaScript.load("job_requeue");
    private final LuaScript cancel = LuaScript.load("job_cancel");
    private final LuaScript renew = LuaScript.load("job_renew");

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

    /** Creates a shard's group (reading its stream from the start) unless it exists: after a NOGROUP. */
    Uni<Void> ensureGroup(JobShard shard) {
        return redis.command("XGROUP", "CREATE", shards.keys(shard).stream(), GROUP, "0", "MKSTREAM").replaceWithVoid()
                .onFailure(failure -> failure instanceof RedisReplyException reply && reply.hasCode("BUSYGROUP"))
                .recoverWithNull();
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

    // ---------------------------------------------------------------------------------------------------------
    // The worker's side

    /** A connection of the worker's own for blocking reads (see {@link RedisGateway#dedicatedConnection()}). */
    RedisConnection connection() {
        return redis.dedicatedConnection().await().indefinitely();
    }

    /**
     * New entries of one shard for this consumer, on a dedicated connection: waiting up to {@code block} in Redis
     * for one, or not at all when {@code block} is zero.
     */
    List<StreamEntry> read(RedisConnection connection, JobShard shard, String consumer, int count, Duration block) {
        List<String> args = new ArrayList<>(List.of("GROUP", GROUP, consumer, "COUNT", Integer.toString(count)));
        if (!block.isZero()) {
            // At least 1 ms: BLOCK 0 would wait for ever.
            args.addAll(List.of("BLOCK", Long.toString(Math.max(1, block.toMillis()))));
        }
        args.addAll(List.of("STREAMS", shards.keys(shard).stream(), ">"));
        Response reply = redis.command(connection, block.plusSeconds(3), "XREADGROUP", args.toArray(String[]::new))
                .await().indefinitely();
        return entries(Replies.streamItemsOfOneStream(reply));
    }

    /** Takes over entries of one shard that another consumer has not renewed within the visibility timeout. */
    List<StreamEntry> takeOver(JobShard shard, String consumer, int count) {
        Response reply = redis.command("XAUTOCLAIM", shards.keys(shard).stream(), GROUP, consumer,
                Long.toString(settings.worker().visibilityTimeout().toMillis()), "0-0",
                "COUNT", Integer.toString(count)).await().indefinitely();
        return entries(Replies.streamItems(reply.get(1))); // [next cursor, entries, deleted ids]
    }

    private static List<StreamEntry> entries(List<StreamItem> items) {
        return items.stream().map(StreamEntry::of).toList();
    }

    ScriptAnswers.Start start(StreamEntry entry, String worker) {
        JobKeys k = shards.keysOf(entry.jobId());
        return ScriptAnswers.start(redis.script(start, List.of(k.stream(), k.job(entry.jobId()), k.deadLetters()),
                List.of(GROUP, entry.entryId(), entry.jobId(), worker, now(), Long.toString(retentionMs),
                        Integer.toString(settings.deadLetter().maxLength())))
                .await().indefinitely());
    }

    /**
     * Records a terminal outcome with its detail: the result (JSON) of a success, the error of a failure or a
     * cancel.
     */
    ScriptAnswers.Finish finish(StreamEntry entry, JobStatus outcome, String detail) {
        if (!outcome.isTerminal()) {
            throw new IllegalArgumentException(outcome + " is not an outcome a run can record");
        }
        String field = outcome == JobStatus.SUCCEEDED ? "result" : "error";
        JobKeys k = shards.keysOf(entry.jobId());
        return ScriptAnswers.finish(redis.script(finish, List.of(k.stream(), k.job(entry.jobId())),
                List.of(GROUP, entry.entryId(), outcome.wireName(), field, detail, now(), Long.toString(retentionMs)))
                .await().indefinitely());
    }

    ScriptAnswers.Retry retry(StreamEntry entry, String error, long dueAt) {
        JobKeys k = shards.keysOf(entry.jobId());
        return ScriptAnswers.retry(redis.script(retry,
                List.of(k.stream(), k.job(entry.jobId()), k.retries(), k.deadLetters()),
                List.of(GROUP, entry.entryId(), entry.jobId(), error, now(), Long.toString(retentionMs),
                        Long.toString(dueAt), Integer.toString(settings.deadLetter().maxLength())))
                .await().indefinitely());
    }

    /** Job ids of one shard whose retry backoff is over. */
    List<String> dueRetries(JobShard shard, int limit) {
        Response reply = redis.command("ZRANGE", shards.keys(shard).retries(), "-inf", now(), "BYSCORE", "LIMIT", "0",
                Integer.toString(limit)).await().indefinitely();
        List<String> ids = new ArrayList<>();
        reply.forEach(id -> ids.add(id.toString()));
        return ids;
    }

    void requeueRetry(String jobId) {
        requeue(jobId, "retry", "", 0).await().indefinitely();
    }

    /** Gives a running job back to the queue at once (a stopping worker), so another worker starts it promptly. */
    void release(StreamEntry entry) {
        requeue(entry.jobId(), "release", entry.entryId(), 0).await().indefinitely();
    }

    /** Re-queues a dead job with a fresh allowance of attempts; false when the job is not dead (or unknown). */
    public Uni<Boolean> redrive(String jobId) {
        return requeue(jobId, "redrive", "", settings.maxAttempts()).map(ScriptAnswers::requeued);
    }

    private Uni<Response> requeue(String jobId, String from, String entryId, int granted) {
        JobKeys k = shards.keysOf(jobId);
        return redis.script(requeue, List.of(k.stream(), k.job(jobId), k.retries(), k.deadLetters()),
                List.of(GROUP, jobId, from, entryId, now(), Long.toString(retentionMs), Integer.toString(granted)));
    }

    /** One renewal for a running job: its entry and progress to store (-1: unchanged). */
    record Renewal(StreamEntry entry, int progress) {
    }

    /** One claim per renewal, in their order: one script per shard the renewals are in. */
    List<ScriptAnswers.Claim> renew(String consumer, List<Renewal> renewals) {
        Map<JobKeys, List<Integer>> byShard = new LinkedHashMap<>();
        for (int i = 0; i < renewals.size(); i++) {
            byShard.computeIfAbsent(shards.keysOf(renewals.get(i).entry().jobId()), k -> new ArrayList<>()).add(i);
        }
        ScriptAnswers.Claim[] claims = new ScriptAnswers.Claim[renewals.size()];
        byShard.forEach((shard, positions) -> {
            List<ScriptAnswers.Claim> answers = renew(shard, consumer,
                    positions.stream().map(renewals::get).toList());
            for (int j = 0; j < positions.size(); j++) {
                claims[positions.get(j)] = answers.get(j);
            }
        });
        return List.of(claims);
    }

    private List<ScriptAnswers.Claim> renew(JobKeys shard, String consumer, List<Renewal> renewals) {
        List<String> scriptKeys = new ArrayList<>(renewals.size() + 1);
        List<String> args = new ArrayList<>(2 * renewals.size() + 3);
        scriptKeys.add(shard.stream());
        args.add(GROUP);
        args.add(consumer);
        args.add(Long.toString(retentionMs));
        for (Renewal renewal : renewals) {
            scriptKeys.add(shard.job(renewal.entry().jobId()));
            args.add(renewal.entry().entryId());
            args.add(renewal.progress() < 0 ? "" : Integer.toString(renewal.progress()));
        }
        return ScriptAnswers.renew(redis.script(renew, scriptKeys, args).await().indefinitely());
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }
}
