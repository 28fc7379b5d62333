package dev.tally.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.vertx.mutiny.redis.client.Response;

/**
 * What each job script ({@code job_*.lua}) answers, as types: the one place that knows the scripts' reply shapes,
 * so the store's callers switch on types and never compare strings or positions.
 */
final class ScriptAnswers {

    private ScriptAnswers() {
    }

    /** {@code job_start}: run the delivery, or drop it unrun. */
    sealed interface Start permits Run, Skip, GaveUp {
    }

    /** Run it: the attempt was counted and the record says {@code running}. */
    record Run(String type, String payload, int attempt, long createdAtMillis) implements Start {
    }

    /** Not run: the record expired, or the delivery is stale or its job finished; {@code reason} says which. */
    record Skip(String reason) implements Start {
    }

    /**
     * Not run, and the job is {@code dead}: its attempts were used up by workers that died running it (declared
     * now, or by an earlier delivery of the same job).
     */
    record GaveUp() implements Start {
    }

    /** {@code job_finish}: this run decided the job, or another delivery, a cancel or a release had first. */
    enum Finish {
        DECIDED, SUPERSEDED
    }

    /** A stream entry taken and started in one script: what {@code job_start} would have answered for it. */
    record Delivery(StreamEntry entry, Start start) {
    }

    /** {@code job_finish}'s whole answer: the outcome, and the next delivery when it was asked to take one. */
    record Finished(Finish finish, Optional<Delivery> next) {
    }

    /** {@code job_retry}: scheduled after a backoff, dead with no attempt left, or decided by someone else. */
    enum Retry {
        SCHEDULED, DEAD, STALE
    }

    /** {@code job_renew}, per job: another worker took it over, still ours, or ours and cancelled by a client. */
    enum Claim {
        LOST, HELD, CANCEL_REQUESTED
    }

    static Start start(Response reply) {
        return switch (reply.get(0).toString()) {
            case "run" -> new Run(reply.get(1).toString(), reply.get(2).toString(),
                    Integer.parseInt(reply.get(3).toString()), Long.parseLong(reply.get(4).toString()));
            case "skip" -> "dead".equals(reply.get(1).toString()) ? new GaveUp() : new Skip(reply.get(1).toString());
            default -> throw unexpected("job_start", reply);
        };
    }

    static Finished finish(Response reply) {
        Finish finish = switch (reply.get(0).toInteger()) {
            case 1 -> Finish.DECIDED;
            case 0 -> Finish.SUPERSEDED;
            default -> throw unexpected("job_finish", reply);
        };
        if (reply.size() == 1) {
            return new Finished(finish, Optional.empty());
        }
        Response entry = reply.get(1); // {entry id, job id, type}
        return new Finished(finish, Optional.of(new Delivery(
                new StreamEntry(entry.get(0).toString(), entry.get(1).toString(), entry.get(2).toString()),
                start(reply.get(2)))));
    }

    static Retry retry(Response reply) {
        return switch (reply.toString()) {
            case "retry" -> Retry.SCHEDULED;
            case "dead" -> Retry.DEAD;
            case "stale" -> Retry.STALE;
            default -> throw unexpected("job_retry", reply);
        };
    }

    /** One claim per job renewed, in the order they were passed. */
    static List<Claim> renew(Response reply) {
        List<Claim> claims = new ArrayList<>(reply.size());
        for (Response answer : reply) {
            claims.add(switch (answer.toInteger()) {
                case 0 -> Claim.LOST;
                case 1 -> Claim.HELD;
                case 2 -> Claim.CANCEL_REQUESTED;
                default -> throw unexpected("job_renew", answer);
            });
        }
        return claims;
    }

    /** {@code job_cancel}: the status the job had before the cancel; empty for an unknown (or expired) job. */
    static Optional<JobStatus> cancel(Response reply) {
        return reply == null ? Optional.empty() : Optional.of(JobStatus.fromWire(reply.toString()));
    }

    /** {@code job_requeue}: whether the job was queued again (nil: it was not in the state the caller expected). */
    static boolean requeued(Response reply) {
        return reply != null;
    }

    private static IllegalStateException unexpected(String script, Response reply) {
        return new IllegalStateException(script + " answered " + reply);
    }
}
