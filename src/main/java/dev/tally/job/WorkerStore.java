package dev.tally.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.tally.redis.JobKeys;
import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import dev.tally.redis.RedisReplyException;
import dev.tally.redis.Replies;
import dev.tally.redis.StreamItem;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Response;

/**
 * The worker's steps on the jobs of {@link JobStore}: the group it reads as, new entries and take-overs, the start
 * and the outcome of each run (a success may take the next entry in the same script), retries, releases and claim
 * renewals. Every call blocks: the worker's parts run on virtual threads.
 */
@Singleton
public class WorkerStore {

    private final RedisGateway redis;
    private final JobStore jobs;
    private final JobShards shards;
    private final JobSettings settings;
    private final long retentionMs;
    private final LuaScript start = LuaScript.load("job_start", "job_delivery");
    private final LuaScript finish = LuaScript.load("job_finish", "job_delivery");
    private final LuaScript retry = LuaScript.load("job_retry");
    private final LuaScript renew = LuaScript.load("job_renew");

    public WorkerStore(RedisGateway redis, JobStore jobs, JobSettings settings) {
        this.redis = redis;
        this.jobs = jobs;
        this.shards = jobs.shards();
        this.settings = settings;
        this.retentionMs = settings.retention().toMillis();
    }

    JobShards shards() {
        return shards;
    }

    /** Creates a shard's group (reading its stream from the start) unless it exists: after a NOGROUP. */
    Uni<Void> ensureGroup(JobShard shard) {
        return redis.command("XGROUP", "CREATE", shards.keys(shard).stream(), JobStore.GROUP, "0", "MKSTREAM").replaceWithVoid()
                .onFailure(failure -> failure instanceof RedisReplyException reply && reply.hasCode("BUSYGROUP"))
                .recoverWithNull();
    }

    /** A connection of the worker's own for blocking reads (see {@link RedisGateway#dedicatedConnection()}). */
    RedisConnection connection() {
        return redis.dedicatedConnection().await().indefinitely();
    }

    /**
     * New entries of one shard for this consumer, on a dedicated connection: waiting up to {@code block} in Redis
     * for one, or not at all when {@code block} is zero.
     */
    List<StreamEntry> read(RedisConnection connection, JobShard shard, String consumer, int count, Duration block) {
        List<String> args = new ArrayList<>(List.of("GROUP", JobStore.GROUP, consumer, "COUNT", Integer.toString(count)));
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
        Response reply = redis.command("XAUTOCLAIM", shards.keys(shard).stream(), JobStore.GROUP, consumer,
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
                List.of(JobStore.GROUP, entry.entryId(), entry.jobId(), worker, JobStore.now(), Long.toString(retentionMs),
                        Integer.toString(settings.deadLetter().maxLength())))
                .await().indefinitely());
    }

    /**
     * Records a terminal outcome with its detail: the result (JSON) of a success, the error of a failure or a
     * cancel.
     */
    ScriptAnswers.Finish finish(StreamEntry entry, JobStatus outcome, String detail) {
        return finish(entry, outcome, detail, "").finish();
    }

    /**
     * Records a success and, in the same script, takes {@code consumer}'s next new entry of the job's shard and
     * starts it as {@link #start} would (the next delivery is empty when the stream had none). A reply lost after
     * the script ran leaves that entry started but unrun in the consumer's pending list: it is taken over after the
     * visibility timeout, as an entry whose read reply was lost would be.
     */
    ScriptAnswers.Finished succeedAndTakeNext(StreamEntry entry, String result, String consumer) {
        return finish(entry, JobStatus.SUCCEEDED, result, consumer);
    }

    private ScriptAnswers.Finished finish(StreamEntry entry, JobStatus outcome, String detail, String takeNextFor) {
        if (!outcome.isTerminal()) {
            throw new IllegalArgumentException(outcome + " is not an outcome a run can record");
        }
        String field = outcome == JobStatus.SUCCEEDED ? "result" : "error";
        JobKeys k = shards.keysOf(entry.jobId());
        return ScriptAnswers.finish(redis.script(finish,
                List.of(k.stream(), k.job(entry.jobId()), k.deadLetters(), k.jobPrefix()),
                List.of(JobStore.GROUP, entry.entryId(), outcome.wireName(), field, detail, JobStore.now(), Long.toString(retentionMs),
                        takeNextFor, Integer.toString(settings.deadLetter().maxLength())))
                .await().indefinitely());
    }

    ScriptAnswers.Retry retry(StreamEntry entry, String error, long dueAt) {
        JobKeys k = shards.keysOf(entry.jobId());
        return ScriptAnswers.retry(redis.script(retry,
                List.of(k.stream(), k.job(entry.jobId()), k.retries(), k.deadLetters()),
                List.of(JobStore.GROUP, entry.entryId(), entry.jobId(), error, JobStore.now(), Long.toString(retentionMs),
                        Long.toString(dueAt), Integer.toString(settings.deadLetter().maxLength())))
                .await().indefinitely());
    }

    /** Job ids of one shard whose retry backoff is over. */
    List<String> dueRetries(JobShard shard, int limit) {
        Response reply = redis.command("ZRANGE", shards.keys(shard).retries(), "-inf", JobStore.now(), "BYSCORE", "LIMIT", "0",
                Integer.toString(limit)).await().indefinitely();
        List<String> ids = new ArrayList<>();
        reply.forEach(id -> ids.add(id.toString()));
        return ids;
    }

    void requeueRetry(String jobId) {
        jobs.requeue(jobId, "retry", "", 0).await().indefinitely();
    }

    /** Gives a running job back to the queue at once (a stopping worker), so another worker starts it promptly. */
    void release(StreamEntry entry) {
        jobs.requeue(entry.jobId(), "release", entry.entryId(), 0).await().indefinitely();
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
        args.add(JobStore.GROUP);
        args.add(consumer);
        args.add(Long.toString(retentionMs));
        for (Renewal renewal : renewals) {
            scriptKeys.add(shard.job(renewal.entry().jobId()));
            args.add(renewal.entry().entryId());
            args.add(renewal.progress() < 0 ? "" : Integer.toString(renewal.progress()));
        }
        return ScriptAnswers.renew(redis.script(renew, scriptKeys, args).await().indefinitely());
    }
}
