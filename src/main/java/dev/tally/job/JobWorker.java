package dev.tally.job;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.runtime.InstanceId;
import dev.tally.runtime.TallySettings;
import dev.tally.runtime.WorkThreads;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The worker: one consumer (named by the instance id) in every job shard's group, on replicas whose role runs jobs.
 * This class starts its parts and stops them in order at shutdown:
 * <ul>
 * <li>{@link JobIntake} takes work from the stream, never more than the free slots;</li>
 * <li>{@link JobExecutor} runs each job on a virtual thread of its own (CPU kinds on the {@link JobCpuPool});</li>
 * <li>{@link ClaimKeeper} renews the claims of the {@link RunningJobs}, passes on cancellations and re-queues
 * retries whose backoff is over.</li>
 * </ul>
 * At SIGTERM intake stops; running jobs get {@code tally.job.worker.drain-timeout} to finish, and the rest are
 * released to the stream (another worker starts them at once) and interrupted.
 */
@Singleton
public class JobWorker implements WorkThreads {

    private static final Logger LOG = Logger.getLogger(JobWorker.class);
    // After the release, how long interrupted handlers get to return before the keeper stops renewing.
    private static final Duration INTERRUPTED_GRACE = Duration.ofSeconds(2);

    private final JobSettings.Worker settings;
    private final String consumer;
    private final boolean runsJobs;
    private final RunningJobs running;
    private final JobCpuPool cpu;
    private final JobExecutor executor;
    private final JobIntake intake;
    private final ClaimKeeper keeper;
    private volatile long drainDeadline;

    public JobWorker(WorkerStore store, JobHandlers handlers, JobSettings settings, JobMetrics metrics,
            ObjectMapper json, InstanceId instanceId, TallySettings tally, MeterRegistry registry) {
        this.settings = settings.worker();
        this.consumer = instanceId.value();
        this.runsJobs = tally.role().runsJobs();
        this.running = new RunningJobs(registry);
        this.cpu = new JobCpuPool(this.settings.cpuThreads());
        IntakeState intakeState = new IntakeState();
        this.executor = new JobExecutor(store, handlers, settings, metrics, json, consumer, running, cpu,
                intakeState);
        this.intake = new JobIntake(store, this.settings, consumer, intakeState, executor);
        this.keeper = new ClaimKeeper(store, this.settings.visibilityTimeout(), consumer, running, intake::taking);
    }

    void start(@Observes StartupEvent event) {
        if (!runsJobs) {
            LOG.info("Role api: jobs are accepted here and run by worker replicas");
            return;
        }
        intake.start();
        keeper.start();
        LOG.infof("Job worker %s: up to %d jobs at once", consumer, settings.concurrency());
    }

    /** SIGTERM (with the shutdown delay on): stop taking jobs now; running ones have the drain timeout. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        stopIntake();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        if (!runsJobs) {
            return;
        }
        stopIntake();
        drain();
        cpu.shutdownNow();
    }

    private synchronized void stopIntake() {
        if (intake.taking()) {
            intake.stop();
            drainDeadline = System.nanoTime() + settings.drainTimeout().toNanos();
            LOG.infof("Job intake stopped; %d running job(s) have %s to finish", running.count(),
                    settings.drainTimeout());
        }
    }

    /** Lets running jobs finish until the drain deadline, then gives the rest back to the queue and stops them. */
    private void drain() {
        intake.awaitStopped();
        running.awaitNoneUntil(drainDeadline, Duration.ofMillis(50));
        List<JobRun> unfinished = running.snapshot();
        for (JobRun run : unfinished) {
            executor.release(run.entry());
            run.stop(true);
        }
        if (!unfinished.isEmpty()) {
            LOG.infof("Released %d unfinished job(s) to other workers", unfinished.size());
        }
        running.awaitNoneUntil(System.nanoTime() + INTERRUPTED_GRACE.toNanos(),
                Duration.ofMillis(20));
        keeper.stop();
    }

    /** The threads inside a job handler now, for the deadlock detector. */
    @Override
    public List<Thread> threads() {
        return running.snapshot().stream().map(JobRun::runner).filter(Objects::nonNull).toList();
    }
}
