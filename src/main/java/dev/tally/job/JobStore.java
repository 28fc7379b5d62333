package dev.tally.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.tally.redis.Keys;
import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import dev.tally.redis.RedisReplyException;
import dev.tally.web.ProblemException;
import io.smallrye.mutiny.Uni;
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

    /** What {@code job_start} decided: run (with the job's data) or skip (with the reason). */
    record Start(boolean run, String type, String payload, int attempt, long createdAt, String reason) {
    }

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

    public Uni<String> submit(String jobId, String type, String payloadJson) {
        return redis.script(submit, List.of(keys.jobStream(), keys.job(jobId)),
                List.of(jobId, type, payloadJson, now(), Long.toString(retentionMs),
                        Integer.toString(settings.maxAttempts()), Integer.toString(settings.maxOutstanding())))
                .map(Response::toString)
                .onFailure(RedisReplyException.class).transform(failure -> full((RedisReplyException) failure));
    }

    public Uni<JobRecord> get(String jobId) {
        List<String> args = new ArrayList<>(JobRecord.FIELDS.size() + 1);
        args.add(keys.job(jobId));
        args.addAll(JobRecord.FIELDS);
        return redis.command("HMGET", args.toArray(String[]::new)).map(JobRecord::from);
    }

    /** The status the job had before the cancel, or null for an unknown job. */
    public Uni<String> cancel(String jobId) {
        return redis.script(cancel, List.of(keys.job(jobId), keys.jobRetries()),
                List.of(jobId, now(), Long.toString(retentionMs)))
                .map(reply -> reply == null ? null : reply.toString());
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
        return StreamEntry.fromRead(reply);
    }

    /** Takes over entries another consumer has not renewed within the visibility timeout. */
    List<StreamEntry> takeOver(String consumer, int count) {
        Response reply = redis.command("XAUTOCLAIM", keys.jobStream(), GROUP, consumer,
                Long.toString(settings.worker().visibilityTimeout().toMillis()), "0-0",
                "COUNT", Integer.toString(count)).await().indefinitely();
        return StreamEntry.fromAutoClaim(reply);
    }

    Start start(StreamEntry entry, String worker) {
        Response reply = redis.script(start, List.of(keys.jobStream(), keys.job(entry.jobId()), keys.jobDeadLetters()),
                List.of(GROUP, entry.entryId(), entry.jobId(), worker, now(), Long.toString(retentionMs),
                        Integer.toString(settings.deadLetter().maxLength())))
                .await().indefinitely();
        if (!"run".equals(reply.get(0).toString())) {
            return new Start(false, null, null, 0, 0, reply.get(1).toString());
        }
        return new Start(true, reply.get(1).toString(), reply.get(2).toString(),
                Integer.parseInt(reply.get(3).toString()), Long.parseLong(reply.get(4).toString()), null);
    }

    /** Records a final outcome; false when another delivery, a cancel or a release decided the job first. */
    boolean finish(StreamEntry entry, String status, String field, String value) {
        return redis.script(finish, List.of(keys.jobStream(), keys.job(entry.jobId())),
                List.of(GROUP, entry.entryId(), status, field, value, now(), Long.toString(retentionMs)))
                .await().indefinitely().toInteger() == 1;
    }

    /** {@code retry}, {@code dead} or {@code stale}. */
    String retry(StreamEntry entry, String error, long dueAt) {
        return redis.script(retry,
                List.of(keys.jobStream(), keys.job(entry.jobId()), keys.jobRetries(), keys.jobDeadLetters()),
                List.of(GROUP, entry.entryId(), entry.jobId(), error, now(), Long.toString(retentionMs),
                        Long.toString(dueAt), Integer.toString(settings.deadLetter().maxLength())))
                .await().indefinitely().toString();
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
        return requeue(jobId, "redrive", "", settings.maxAttempts()).map(entry -> entry != null);
    }

    private Uni<Response> requeue(String jobId, String from, String entryId, int granted) {
        return redis.script(requeue,
                List.of(keys.jobStream(), keys.job(jobId), keys.jobRetries(), keys.jobDeadLetters()),
                List.of(GROUP, jobId, from, entryId, now(), Long.toString(retentionMs), Integer.toString(granted)));
    }

    /** One renewal for a running job: its entry and progress to store (-1: unchanged). */
    record Renewal(StreamEntry entry, int progress) {
    }

    /** Per renewal: 0 taken over by another worker, 1 still ours, 2 ours and cancelled by a client. */
    List<Integer> renew(String consumer, List<Renewal> renewals) {
        List<String> scriptKeys = new ArrayList<>(renewals.size() + 1);
        List<String> args = new ArrayList<>(2 * renewals.size() + 2);
        scriptKeys.add(keys.jobStream());
        args.add(GROUP);
        args.add(consumer);
        for (Renewal renewal : renewals) {
            scriptKeys.add(keys.job(renewal.entry().jobId()));
            args.add(renewal.entry().entryId());
            args.add(renewal.progress() < 0 ? "" : Integer.toString(renewal.progress()));
        }
        Response reply = redis.script(renew, scriptKeys, args).await().indefinitely();
        List<Integer> answers = new ArrayList<>(renewals.size());
        reply.forEach(answer -> answers.add(answer.toInteger()));
        return answers;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Operators

    /** The newest dead letters first. */
    public Uni<List<DeadLetter>> deadLetters(int count) {
        return redis.command("XREVRANGE", keys.jobDeadLetters(), "+", "-", "COUNT", Integer.toString(count))
                .map(DeadLetter::fromRange);
    }

    public Uni<QueueStats> stats() {
        return QueueStats.sample(redis, keys.jobStream(), GROUP, keys.jobRetries(), keys.jobDeadLetters());
    }

    private static RuntimeException full(RedisReplyException reply) {
        if (reply.hasCode("FULL")) {
            return ProblemException.unavailable("job-queue-full",
                    "Too many jobs are outstanding (" + reply.getMessage().substring("FULL ".length())
                            + "); retry later",
                    5);
        }
        return reply;
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }
}
