package dev.tally.job;

import java.time.Duration;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs one delivery on the calling (virtual) thread: records the start ({@code job_start} counts the attempt, or
 * says to skip it), runs the handler (blocking kinds right here, CPU kinds on the {@link JobCpuPool}), and records
 * the outcome. Every record is fenced by the entry id, so a delivery that lost the job records nothing.
 */
final class JobExecutor {

    private static final Logger LOG = Logger.getLogger(JobExecutor.class);

    private final JobStore store;
    private final JobHandlers handlers;
    private final JobSettings settings;
    private final JobMetrics metrics;
    private final ObjectMapper json;
    private final String consumer;
    private final RunningJobs running;
    private final JobCpuPool cpu;

    JobExecutor(JobStore store, JobHandlers handlers, JobSettings settings, JobMetrics metrics, ObjectMapper json,
            String consumer, RunningJobs running, JobCpuPool cpu) {
        this.store = store;
        this.handlers = handlers;
        this.settings = settings;
        this.metrics = metrics;
        this.json = json;
        this.consumer = consumer;
        this.running = running;
        this.cpu = cpu;
    }

    void execute(StreamEntry entry) {
        ScriptAnswers.Start start;
        try {
            start = store.start(entry, consumer);
        } catch (RuntimeException e) {
            LOG.warnf("Could not start job %s (%s); it is taken over after the visibility timeout", entry.jobId(),
                    e.getMessage());
            return;
        }
        switch (start) {
            case ScriptAnswers.Run run -> run(entry, run);
            case ScriptAnswers.GaveUp gaveUp -> {
                LOG.debugf("Job %s skipped: dead", entry.jobId()); // attempts used up by workers that died
                metrics.ended(entry.type(), AttemptOutcome.DEAD, Duration.ZERO);
            }
            case ScriptAnswers.Skip skip -> LOG.debugf("Job %s skipped: %s", entry.jobId(), skip.reason());
        }
    }

    private void run(StreamEntry entry, ScriptAnswers.Run start) {
        if (start.attempt() == 1) {
            metrics.started(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - start.createdAtMillis())));
        }
        JobRun run = new JobRun(entry, start.attempt());
        running.add(run);
        long began = System.nanoTime();
        AttemptOutcome outcome;
        try {
            outcome = succeeded(entry, runHandler(run, start));
        } catch (Throwable failure) {
            outcome = failed(run, start, failure);
        } finally {
            running.remove(run);
        }
        metrics.ended(start.type(), outcome, Duration.ofNanos(System.nanoTime() - began));
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

    private AttemptOutcome succeeded(StreamEntry entry, JsonNode result) {
        try {
            String text = result == null ? "null" : json.writeValueAsString(result);
            return recorded(store.finish(entry, JobStatus.SUCCEEDED, text), AttemptOutcome.SUCCEEDED);
        } catch (Exception e) {
            // Not recorded: the entry stays pending and another worker runs the job again (at least once).
            LOG.warnf("Job %s succeeded but could not be recorded: %s", entry.jobId(), e.getMessage());
            return AttemptOutcome.UNRECORDED;
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
