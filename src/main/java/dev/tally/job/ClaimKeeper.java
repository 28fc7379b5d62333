package dev.tally.job;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import dev.tally.runtime.FailureEpisode;

/**
 * Keeps the running jobs' claims alive: about every second (a third of the visibility timeout at most) it renews
 * them in one {@code job_renew} round trip, which also stores their progress and passes on cancellations, and,
 * while intake takes work, moves retries whose backoff is over back to their shard's stream (every known shard).
 */
final class ClaimKeeper {

    private static final Logger LOG = Logger.getLogger(ClaimKeeper.class);
    private static final int RETRIES_PER_TICK = 100;

    private final WorkerStore store;
    private final String consumer;
    private final RunningJobs running;
    private final BooleanSupplier takingWork;
    private final Duration tick;
    private final FailureEpisode trouble;
    private volatile boolean keeping;
    private Thread thread;

    ClaimKeeper(WorkerStore store, Duration visibilityTimeout, String consumer, RunningJobs running,
            BooleanSupplier takingWork) {
        this.store = store;
        this.consumer = consumer;
        this.running = running;
        this.takingWork = takingWork;
        Duration third = visibilityTimeout.dividedBy(3);
        this.tick = third.compareTo(Duration.ofSeconds(1)) < 0 ? third : Duration.ofSeconds(1);
        this.trouble = new FailureEpisode(LOG, "Job keeper", tick);
    }

    void start() {
        keeping = true;
        thread = Thread.ofVirtual().name("tally-job-keeper").start(this::loop);
    }

    void stop() {
        keeping = false;
        Waits.join(thread, Duration.ofSeconds(3));
    }

    private void loop() {
        while (keeping) {
            Waits.sleep(tick);
            // The tick stays the same while Redis fails: claims must be renewed as soon as Redis takes them again.
            try {
                boolean askedRedis = renew();
                if (takingWork.getAsBoolean()) {
                    askedRedis = true;
                    for (JobShard shard : store.shards().known()) {
                        for (String jobId : store.dueRetries(shard, RETRIES_PER_TICK)) {
                            store.requeueRetry(jobId);
                        }
                    }
                }
                if (askedRedis) {
                    trouble.succeeded();
                }
            } catch (RuntimeException e) {
                trouble.failed(e);
            }
        }
    }

    /** Renews every running job's claim; false when there was none, so Redis was not asked. */
    private boolean renew() {
        List<JobRun> runs = running.snapshot();
        if (runs.isEmpty()) {
            return false;
        }
        List<WorkerStore.Renewal> renewals = runs.stream()
                .map(run -> new WorkerStore.Renewal(run.entry(), run.reportedProgress())).toList();
        List<ScriptAnswers.Claim> claims = store.renew(consumer, renewals);
        for (int i = 0; i < runs.size(); i++) {
            switch (claims.get(i)) {
                case LOST -> LOG.debugf("Job %s was taken over by another worker; finishing anyway", runs.get(i).jobId());
                case CANCEL_REQUESTED -> runs.get(i).stop(false);
                case HELD -> {
                }
            }
        }
        return true;
    }
}
