package dev.tally.job;

import java.time.Duration;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs deliveries on the calling (virtual) thread, which holds one of the intake's slots: records the start
 * ({@code job_start} counts the attempt, or says to skip it), runs the handler (blocking kinds right here, CPU kinds
 * on the {@link JobCpuPool}), and records the outcome. Every record is fenced by the entry id, so a delivery that
 * lost the job records nothing. With one shard, the script that records a success also takes and starts the next
 * new entry for this consumer (while the worker takes jobs and no take-over is due), and the thread runs that one
 * next: one round trip per job while there is a backlog, where reading, starting and finishing apart take three.
 * With several shards the slot goes back to the intake, whose rotation keeps one shard from starving another.
 */
final class JobExecutor {

    private static final Logger LOG = Logger.getLogger(JobExecutor.class);

    private final WorkerStore store;
    private final JobHandlers handlers;
    private final JobSettings settings;
    private final JobMetrics metrics;
    private final ObjectMapper json;
    private final String consumer;
    private final RunningJobs running;
    private final JobCpuPool cpu;
    private final IntakeState intake;

    JobExecutor(WorkerStore store, JobHandlers handlers, JobSettings settings, JobMetrics metrics, ObjectMapper json,
            String consumer, RunningJobs running, JobCpuPool cpu, IntakeState intake) {
        this.store = store;
        this.handlers = handlers;
        this.settings = settings;
        this.metrics = metrics;
        this.json = json;
        this.consumer = consumer;
        this.running = running;
        this.cpu = cpu;
        this.intake = intake;
    }

    /** Runs the delivery the intake read, then each next one that a recorded success took. */
    void execute(StreamEntry entry) {
        ScriptAnswers.Start start;
        try {
            start = store.start(entry, consumer);
        } catch (RuntimeException e) {
            LOG.warnf("Could not start job %s (%s); it is taken over after the visibility timeout", entry.jobId(),
                    e.getMessage());
            return;
        }
        Optional<ScriptAnswers.Delivery> next = handle(new ScriptAnswers.Delivery(entry, start));
        while (next.isPresent()) {
            next = handle(next.get());
        }
    }

    private Optional<ScriptAnswers.Delivery> handle(ScriptAnswers.Delivery delivery) {
        StreamEntry entry = delivery.entry();
        switch (delivery.start()) {
            case ScriptAnswers.Run run -> {
                return run(entry, run);
            }
            case ScriptAnswers.GaveUp gaveUp -> {
                LOG.debugf("Job %s skipped: dead", entry.jobId()); // attempts used up by workers that died
                metrics.ended(entry.type(), AttemptOutcome.DEAD, Duration.ZERO);
            }
            case ScriptAnswers.Skip skip -> LOG.debugf("Job %s skipped: %s", entry.jobId(), skip.reason());
        }
        return Optional.empty();
    }

    /** Runs one started delivery; the next delivery when its recorded success took one. */
    private Optional<ScriptAnswers.Delivery> run(StreamEntry entry, ScriptAnswers.Run start) {
        JobRun run = new JobRun(entry, start.attempt());
        running.add(run);
        if (!intake.taking()) {
            // Taken while the worker began to stop: the drain may already have looked at the running jobs (it
            // does so after the intake stops), so this one goes back to the queue at once, unrun.
            running.remove(run);
            release(entry);
            metrics.ended(start.type(), AttemptOutcome.RELEASED, Duration.ZERO);
            return Optional.empty();
        }
        if (start.attempt() == 1) {
            metrics.started(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - start.createdAtMillis())));
        }
        long began = System.nanoTime();
        Recorded recorded;
        try {
            recorded = succeeded(entry, runHandler(run, start));
        } catch (Throwable failure) {
            recorded = new Recorded(failed(run, start, failure), Optional.empty());
        } finally {
            running.remove(run);
        }
        metrics.ended(start.type(), recorded.outcome(), Duration.ofNanos(System.nanoTime() - began));
        return recorded.next();
    }

    /** Gives a job back to the queue now; on failure it is taken over after the visibility timeout instead. */
    void release(StreamEntry entry) {
        try {
            store.release(entry);
        } catch (RuntimeException e) {
            LOG.warnf("Could not release job %s (%s); another worker takes it over after the visibility timeout",
                    entry.jobId(), e.getMessage());
        }
    }

    /** How an attempt ended, and the delivery its record took for this thread to run next. */
    private record Recorded(AttemptOutcome outcome, Optional<ScriptAnswers.Delivery> next) {
    }

    /** Whether a success takes this slot's next job itself: see the class comment. */
    private boolean takesNext() {
        return intake.taking() && !intake.takeOverDue() && store.shards().known().size() == 1;
    }

    private JsonNode runHandler(JobRun run, ScriptAnswers.Run start) throws Exception {
        JobHandler handler = handlers.forType(start.type())
                .orElseThrow(() -> JobFailure.permanent("no handler for type '" + start.type() + "' in this build"));
        JsonNode payload = json.readTree(start.payload());
        if (handler.kind() == JobHandler.Kind.CPU) {
            return cpu.run(() -> run.execute(handler, payload));
        }
        return run.execute(handler, payload);
    }

    private Recorded succeeded(StreamEntry entry, JsonNode result) {
        try {
            String text = result == null ? "null" : json.writeValueAsString(result);
            ScriptAnswers.Finished finished = takesNext() ? store.succeedAndTakeNext(entry, text, consumer)
                    : new ScriptAnswers.Finished(store.finish(entry, JobStatus.SUCCEEDED, text), Optional.empty());
            return new Recorded(recorded(finished.finish(), AttemptOutcome.SUCCEEDED), finished.next());
        } catch (Exception e) {
            // Not recorded: the entry stays pending and another worker runs the job again (at least once).
            LOG.warnf("Job %s succeeded but could not be recorded: %s", entry.jobId(), e.getMessage());
            return new Recorded(AttemptOutcome.UNRECORDED, Optional.empty());
        }
    }

    private AttemptOutcome failed(JobRun run, ScriptAnswers.Run start, Throwable failure) {
        StreamEntry entry = run.entry();
        try {
            if (run.released()) {
                return AttemptOutcome.RELEASED;
            }
            if (run.cancelled()) {
                return recorded(store.finish(entry, JobStatus.CANCELLED, "cancelled while running"),
                        AttemptOutcome.CANCELLED);
            }
            String error = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
            if (failure instanceof JobFailure jobFailure && jobFailure.permanent()) {
                return recorded(store.finish(entry, JobStatus.FAILED, error), AttemptOutcome.FAILED);
            }
            if (!(failure instanceof JobFailure)) {
                LOG.warnf(failure, "Job %s (%s) attempt %d failed", entry.jobId(), start.type(), start.attempt());
            }
            long due = System.currentTimeMillis()
                    + backoff(start.attempt(), settings.retry().initialBackoff(), settings.retry().maxBackoff()).toMillis();
            return switch (store.retry(entry, error, due)) {
                case SCHEDULED -> AttemptOutcome.RETRIED;
                case DEAD -> AttemptOutcome.DEAD;
                case STALE -> AttemptOutcome.SUPERSEDED;
            };
        } catch (RuntimeException e) {
            LOG.warnf("Job %s failed and the failure could not be recorded: %s", entry.jobId(), e.getMessage());
            return AttemptOutcome.UNRECORDED;
        }
    }

    private static AttemptOutcome recorded(ScriptAnswers.Finish finish, AttemptOutcome outcome) {
        return switch (finish) {
            case DECIDED -> outcome;
            case SUPERSEDED -> AttemptOutcome.SUPERSEDED;
        };
    }

    /** The wait after failed attempt {@code attempt}: initial x 2^(attempt-1), capped by max. */
    static Duration backoff(int attempt, Duration initial, Duration max) {
        int doublings = Math.min(attempt - 1, 30);
        Duration wait = initial.multipliedBy(1L << doublings);
        return wait.compareTo(max) > 0 || wait.isNegative() ? max : wait;
    }
}
