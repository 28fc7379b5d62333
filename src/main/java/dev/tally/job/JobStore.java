package dev.tally.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.tally.redis.Keys;
import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import dev.tally.redis.RedisReplyException;
import dev.tally.redis.Replies;
import dev.tally.redis.ScriptRefusal;
import dev.tally.redis.StreamItem;
import dev.tally.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple5;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Response;

/**
 * Jobs in Redis: one stream with one consumer group (the queue), a hash per job (its record), a sorted set of
 * retries waiting out their backoff, and a dead-letter stream. Every step that touches more than one of them is
 * one Lua script, so a crash between two commands can never lose or duplicate a job.
 */
@ApplicationScoped
public class JobStore {

    /** The one consumer group; each worker replica is one consumer in it, named by its instance id. */
    static final String GROUP = "tally-workers";

    private final RedisGateway redis;
    private final Keys keys;
    private final JobSettings settings;
    private final long retentionMs;
    private final LuaScript submit = LuaScript.load("job_submit");
    private final LuaScript start = LuaScript.load("job_start");
    private final LuaScript finish = LuaScript.load("job_finish");
    private final LuaScript retry = LuaScript.load("job_retry");
    private final LuaScript requeue = LuaScript.load("job_requeue");
    private final LuaScript cancel = LuaScript.load("job_cancel");
    private final LuaScript renew = LuaScript.load("job_renew");

    public JobStore(RedisGateway redis, Keys keys, JobSettings settings) {
        if (settings.retention().compareTo(settings.worker().visibilityTimeout()) <= 0) {
            // A dead worker's job is taken over only after the visibility timeout; a record that expires sooner
            // (renewals restart it, a dead worker's stop) leaves the job with nothing to run from or report to.
            throw new IllegalArgumentException("tally.job.retention (" + settings.retention()
                    + ") must be longer than tally.job.worker.visibility-timeout ("
                    + settings.worker().visibilityTimeout() + ")");
        }
        this.redis = redis;
        this.keys = keys;
        this.settings = settings;
        this.retentionMs = settings.retention().toMillis();
    }

    /** Creates the group (reading the stream from its start) unless it exists; every replica does, at start. */
    public Uni<Void> ensureGroup() {
        return redis.command("XGROUP", "CREATE", keys.jobStream(), GROUP, "0", "MKSTREAM").replaceWithVoid()
                .onFailure(failure -> failure instanceof RedisReplyException reply && reply.hasCode("BUSYGROUP"))
                .recoverWithNull();
    }

    /** {@code owner}: the submitting caller's identity, which the record keeps (see {@link JobRecord#owner}). */
    public Uni<String> submit(String jobId, String type, String payloadJson, String owner) {
        return redis.write(submit, List.of(keys.jobStream(), keys.job(jobId)),
                List.of(jobId, type, payloadJson, now(), Long.toString(retentionMs),
                        Integer.toString(settings.maxAttempts()), Integer.toString(settings.maxOutstanding()), owner))
                .map(Response::toString)
                .onFailure().transform(ScriptRefusal.becomes("FULL", full -> ProblemException.unavailable(
                        "job-queue-full", "Too many jobs are outstanding (" + full.detail() + "); retry later", 5)));
    }

    /** The job's record; null when the job does not exist (or expired). */
    Uni<JobRecord> get(String jobId) {
        return redis.command("HGETALL", keys.job(jobId)).map(reply -> JobRecord.from(Replies.fields(reply)));
    }

    /**
     * The status the job had before the cancel; empty for an unknown job, or one not owned by {@code owner}
     * (empty: any owner), checked in the same script.
     */
    Uni<Optional<JobStatus>> cancel(String jobId, Optional<String> owner) {
        return redis.script(cancel, List.of(keys.job(jobId), keys.jobRetries()),
                List.of(jobId, now(), Long.toString(retentionMs), owner.orElse(""))).map(ScriptAnswers::cancel);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The worker's side

    /** A connection of the worker's own for blocking reads (see {@link RedisGateway#dedicatedConnection()}). */
    RedisConnection connection() {
        return redis.dedicatedConnection().await().indefinitely();
    }

    /** New entries for this consumer, waiting up to {@code block} in Redis: on a dedicated connection. */
    List<StreamEntry> read(RedisConnection connection, String consumer, int count, Duration block) {
        Duration budget = block.plusSeconds(3);
        Response reply = redis.command(connection, budget, "XREADGROUP", "GROUP", GROUP, consumer,
                "COUNT", Integer.toString(count), "BLOCK", Long.toString(block.toMillis()),
                "STREAMS", keys.jobStream(), ">").await().indefinitely();
        return entries(Replies.streamItemsOfOneStream(reply));
    }

    /** Takes over entries another consumer has not renewed within the visibility timeout. */
    List<StreamEntry> takeOver(String consumer, int count) {
        Response reply = redis.command("XAUTOCLAIM", keys.jobStream(), GROUP, consumer,
                Long.toString(settings.worker().visibilityTimeout().toMillis()), "0-0",
                "COUNT", Integer.toString(count)).await().indefinitely();
        return entries(Replies.streamItems(reply.get(1))); // [next cursor, entries, deleted ids]
    }

    private static List<StreamEntry> entries(List<StreamItem> items) {
        return items.stream().map(StreamEntry::of).toList();
    }

    ScriptAnswers.Start start(StreamEntry entry, String worker) {
        return ScriptAnswers.start(redis.script(start,
                List.of(keys.jobStream(), keys.job(entry.jobId()), keys.jobDeadLetters()),
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
        return ScriptAnswers.finish(redis.script(finish, List.of(keys.jobStream(), keys.job(entry.jobId())),
                List.of(GROUP, entry.entryId(), outcome.wireName(), field, detail, now(), Long.toString(retentionMs)))
                .await().indefinitely());
    }

    ScriptAnswers.Retry retry(StreamEntry entry, String error, long dueAt) {
        return ScriptAnswers.retry(redis.script(retry,
                List.of(keys.jobStream(), keys.job(entry.jobId()), keys.jobRetries(), keys.jobDeadLetters()),
                List.of(GROUP, entry.entryId(), entry.jobId(), error, now(), Long.toString(retentionMs),
                        Long.toString(dueAt), Integer.toString(settings.deadLetter().maxLength())))
                .await().indefinitely());
    }

    /** Job ids whose retry backoff is over. */
    List<String> dueRetries(int limit) {
        Response reply = redis.command("ZRANGE", keys.jobRetries(), "-inf", now(), "BYSCORE", "LIMIT", "0",
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
        return redis.script(requeue,
                List.of(keys.jobStream(), keys.job(jobId), keys.jobRetries(), keys.jobDeadLetters()),
                List.of(GROUP, jobId, from, entryId, now(), Long.toString(retentionMs), Integer.toString(granted)));
    }

    /** One renewal for a running job: its entry and progress to store (-1: unchanged). */
    record Renewal(StreamEntry entry, int progress) {
    }

    /** One claim per renewal, in their order. */
    List<ScriptAnswers.Claim> renew(String consumer, List<Renewal> renewals) {
        List<String> scriptKeys = new ArrayList<>(renewals.size() + 1);
        List<String> args = new ArrayList<>(2 * renewals.size() + 3);
        scriptKeys.add(keys.jobStream());
        args.add(GROUP);
        args.add(consumer);
        args.add(Long.toString(retentionMs));
        for (Renewal renewal : renewals) {
            scriptKeys.add(keys.job(renewal.entry().jobId()));
            args.add(renewal.entry().entryId());
            args.add(renewal.progress() < 0 ? "" : Integer.toString(renewal.progress()));
        }
        return ScriptAnswers.renew(redis.script(renew, scriptKeys, args).await().indefinitely());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Operators

    /** The newest dead letters first. */
    public Uni<List<DeadLetter>> deadLetters(int count) {
        return redis.command("XREVRANGE", keys.jobDeadLetters(), "+", "-", "COUNT", Integer.toString(count))
                .map(entries -> Replies.streamItems(entries).stream().map(DeadLetter::of).toList());
    }

    /** Six O(1)/O(log n) reads: lengths, the oldest pending entry, and the first entry not yet delivered. */
    Uni<QueueStats> stats() {
        Uni<Response> length = redis.command("XLEN", keys.jobStream());
        Uni<Response> pending = redis.command("XPENDING", keys.jobStream(), GROUP); // [count, oldest id, ...]
        Uni<Response> groups = redis.command("XINFO", "GROUPS", keys.jobStream());
        Uni<Response> retrying = redis.command("ZCARD", keys.jobRetries());
        Uni<Response> deadLetters = redis.command("XLEN", keys.jobDeadLetters());
        // collectFailures: while Redis is down all five fail, and Mutiny would log each failure after the first
        // as a dropped exception at ERROR, every stats interval.
        return Uni.combine().all().unis(length, pending, groups, retrying, deadLetters).collectFailures()
                .asTuple().flatMap(this::stats);
    }

    /** The stats from XLEN, XPENDING, XINFO GROUPS, the retry set's and the dead letters' sizes. */
    private Uni<QueueStats> stats(Tuple5<Response, Response, Response, Response, Response> t) {
        long now = System.currentTimeMillis();
        long pendingCount = t.getItem2().get(0).toLong();
        double pendingAge = pendingCount == 0 ? 0 : ageSeconds(now, t.getItem2().get(1).toString());
        return redis.command("XRANGE", keys.jobStream(), "(" + lastDelivered(t.getItem3()), "+", "COUNT", "1")
                .map(first -> new QueueStats(Math.max(0, t.getItem1().toLong() - pendingCount), pendingCount,
                        first == null || first.size() == 0 ? 0 : ageSeconds(now, first.get(0).get(0).toString()),
                        pendingAge, t.getItem4().toLong(), t.getItem5().toLong()));
    }

    private static String lastDelivered(Response groups) {
        for (Response info : groups) {
            if (GROUP.equals(Replies.field(info, "name").toString())) {
                return Replies.field(info, "last-delivered-id").toString();
            }
        }
        return "0-0";
    }

    private static double ageSeconds(long now, String entryId) {
        return Math.max(0, now - StreamItem.millisOf(entryId)) / 1000.0;
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }
}
