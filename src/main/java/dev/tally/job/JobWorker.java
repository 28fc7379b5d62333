package dev.tally.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.redis.RedisReplyException;
import dev.tally.runtime.InstanceId;
import dev.tally.runtime.TallySettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.redis.client.RedisConnection;

/**
 * The worker: one consumer (named by the instance id) in the job stream's group. Three kinds of thread, all
 * virtual except the CPU pool:
 * <ul>
 * <li>intake: takes over entries whose worker stopped renewing ({@code XAUTOCLAIM}), then reads new ones
 * ({@code XREADGROUP ... BLOCK}) on a dedicated connection, never more than the free slots;</li>
 * <li>one thread per job: records the start (counting the attempt), runs the handler (blocking kinds right there,
 * CPU kinds on the bounded pool), records the outcome;</li>
 * <li>keeper: renews the claims on running jobs, stores their progress, passes on cancellations, and moves
 * retries whose backoff is over back to the stream.</li>
 * </ul>
 * At SIGTERM intake stops; running jobs get {@code tally.job.worker.drain-timeout} to finish, and the rest are
 * released to the stream (another worker starts them at once) and interrupted.
 */
@ApplicationScoped
public class JobWorker {

    private static final Logger LOG = Logger.getLogger(JobWorker.class);
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);

    private final JobStore store;
    private final JobHandlers handlers;
    private final JobSettings settings;
    private final JobMetrics metrics;
    private final ObjectMapper json;
    private final String consumer;
    private final boolean runsJobs;
    private final Semaphore slots;
    private final Map<String, JobRun> inHand = new ConcurrentHashMap<>();
    private final ExecutorService cpu;

    private volatile boolean intake;
    private volatile boolean keeping;
    private volatile long drainDeadline;
    private Thread intakeThread;
    private Thread keeperThread;

    public JobWorker(JobStore store, JobHandlers handlers, JobSettings settings, JobMetrics metrics,
            ObjectMapper json, InstanceId instanceId, TallySettings tally, MeterRegistry registry) {
        this.store = store;
        this.handlers = handlers;
        this.settings = settings;
        this.metrics = metrics;
        this.json = json;
        this.consumer = instanceId.value();
        this.runsJobs = tally.role().runsJobs();
        this.slots = new Semaphore(settings.worker().concurrency());
        int cpuThreads = settings.worker().cpuThreads() > 0 ? settings.worker().cpuThreads()
                : Runtime.getRuntime().availableProcessors();
        this.cpu = Executors.newFixedThreadPool(cpuThreads, cpuThreads());
        Gauge.builder("tally.jobs.running", inHand, Map::size).description("Jobs running on this replica")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!runsJobs) {
            LOG.info("Role api: jobs are accepted here and run by worker replicas");
            return;
        }
        intake = true;
        keeping = true;
        intakeThread = Thread.ofVirtual().name("tally-job-intake").start(this::intakeLoop);
        keeperThread = Thread.ofVirtual().name("tally-job-keeper").start(this::keeperLoop);
        LOG.infof("Job worker %s: up to %d jobs at once", consumer, settings.worker().concurrency());
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
        if (intake) {
            intake = false;
            drainDeadline = System.nanoTime() + settings.worker().drainTimeout().toNanos();
            LOG.infof("Job intake stopped; %d running job(s) have %s to finish", inHand.size(),
                    settings.worker().drainTimeout());
        }
    }

    private void drain() {
        join(intakeThread, settings.worker().block().plusSeconds(3));
        while (!inHand.isEmpty() && System.nanoTime() < drainDeadline) {
            sleep(Duration.ofMillis(50));
        }
        List<JobRun> unfinished = List.copyOf(inHand.values());
        for (JobRun run : unfinished) {
            try {
                store.release(run.entry());
            } catch (RuntimeException e) {
                LOG.warnf("Could not release job %s (%s); another worker takes it over after the visibility timeout",
                        run.jobId(), e.getMessage());
            }
            run.stop(true);
        }
        if (!unfinished.isEmpty()) {
            LOG.infof("Released %d unfinished job(s) to other workers", unfinished.size());
        }
        long stopped = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!inHand.isEmpty() && System.nanoTime() < stopped) {
            sleep(Duration.ofMillis(20));
        }
        keeping = false;
        join(keeperThread, Duration.ofSeconds(3));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Intake

    private void intakeLoop() {
        RedisConnection connection = null;
        long nextTakeOver = 0;
        Duration takeOverEvery = settings.worker().visibilityTimeout().dividedBy(2);
        while (intake) {
            int held = 0;
            try {
                held = freeSlots();
                if (held == 0) {
                    continue;
                }
                List<StreamEntry> taken = new ArrayList<>();
                if (System.nanoTime() >= nextTakeOver) {
                    taken.addAll(store.takeOver(consumer, held));
                    nextTakeOver = System.nanoTime() + takeOverEvery.toNanos();
                }
                if (taken.size() < held && intake) {
                    if (connection == null) {
                        connection = store.connection();
                    }
                    taken.addAll(store.read(connection, consumer, held - taken.size(), settings.worker().block()));
                }
                slots.release(held - taken.size());
                held = 0;
                taken.forEach(this::launch);
            } catch (RuntimeException e) {
                slots.release(held);
                if (e instanceof RedisReplyException reply && reply.hasCode("NOGROUP")) {
                    store.ensureGroup().await().atMost(Duration.ofSeconds(5)); // the stream was deleted
                } else {
                    LOG.warnf("Job intake: %s; retrying in %s", e.getMessage(), PAUSE_AFTER_FAILURE);
                    connection = close(connection);
                    sleep(PAUSE_AFTER_FAILURE);
                }
            }
        }
        close(connection);
    }

    /** Takes every free slot, waiting a little for one when all are busy. */
    private int freeSlots() {
        try {
            if (!slots.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        return 1 + slots.drainPermits();
    }

    private void launch(StreamEntry entry) {
        Thread.ofVirtual().name("tally-job-" + entry.jobId()).start(() -> {
            try {
                execute(entry);
            } finally {
                slots.release();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // One job

    private void execute(StreamEntry entry) {
        JobStore.Start start;
        try {
            start = store.start(entry, consumer);
        } catch (RuntimeException e) {
            LOG.warnf("Could not start job %s (%s); it is taken over after the visibility timeout", entry.jobId(),
                    e.getMessage());
            return;
        }
        if (!start.run()) {
            LOG.debugf("Job %s skipped: %s", entry.jobId(), start.reason());
            if ("dead".equals(start.reason())) { // its attempts were used up by workers that died running it
                metrics.ended(entry.type(), "dead", Duration.ZERO);
            }
            return;
        }
        if (start.attempt() == 1) {
            metrics.started(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - start.createdAt())));
        }
        JobRun run = new JobRun(entry, start.attempt());
        inHand.put(entry.entryId(), run);
        long began = System.nanoTime();
        String outcome;
        try {
            outcome = succeeded(entry, runHandler(run, start));
        } catch (Throwable failure) {
            outcome = failed(run, start, unwrap(failure));
        } finally {
            inHand.remove(entry.entryId());
        }
        metrics.ended(start.type(), outcome, Duration.ofNanos(System.nanoTime() - began));
    }

    private JsonNode runHandler(JobRun run, JobStore.Start start) throws Exception {
        JobHandler handler = handlers.forType(start.type())
                .orElseThrow(() -> JobFailure.permanent("no handler for type '" + start.type() + "' in this build"));
        JsonNode payload = json.readTree(start.payload());
        if (handler.kind() == JobHandler.Kind.CPU) {
            return cpu.submit(() -> run.execute(handler, payload)).get();
        }
        return run.execute(handler, payload);
    }

    private String succeeded(StreamEntry entry, JsonNode result) {
        try {
            String text = result == null ? "null" : json.writeValueAsString(result);
            return store.finish(entry, "succeeded", "result", text) ? "succeeded" : "superseded";
        } catch (Exception e) {
            // Not recorded: the entry stays pending and another worker runs the job again (at least once).
            LOG.warnf("Job %s succeeded but could not be recorded: %s", entry.jobId(), e.getMessage());
            return "unrecorded";
        }
    }

    private String failed(JobRun run, JobStore.Start start, Throwable failure) {
        StreamEntry entry = run.entry();
        try {
            if (run.released()) {
                return "released";
            }
            if (run.cancelled()) {
                return store.finish(entry, "cancelled", "error", "cancelled while running") ? "cancelled"
                        : "superseded";
            }
            String error = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
            if (failure instanceof JobFailure jobFailure && jobFailure.permanent()) {
                return store.finish(entry, "failed", "error", error) ? "failed" : "superseded";
            }
            if (!(failure instanceof JobFailure)) {
                LOG.warnf(failure, "Job %s (%s) attempt %d failed", entry.jobId(), start.type(), start.attempt());
            }
            long due = System.currentTimeMillis()
                    + backoff(start.attempt(), settings.retry().initialBackoff(), settings.retry().maxBackoff()).toMillis();
            String decided = store.retry(entry, error, due);
            return switch (decided) {
                case "retry" -> "retried";
                case "dead" -> "dead";
                default -> "superseded";
            };
        } catch (RuntimeException e) {
            LOG.warnf("Job %s failed and the failure could not be recorded: %s", entry.jobId(), e.getMessage());
            return "unrecorded";
        }
    }

    /** The wait after failed attempt {@code attempt}: initial x 2^(attempt-1), capped by max. */
    static Duration backoff(int attempt, Duration initial, Duration max) {
        int doublings = Math.min(attempt - 1, 30);
        Duration wait = initial.multipliedBy(1L << doublings);
        return wait.compareTo(max) > 0 || wait.isNegative() ? max : wait;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof ExecutionException wrapped && wrapped.getCause() != null ? wrapped.getCause()
                : failure;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Keeper

    private void keeperLoop() {
        Duration visibility = settings.worker().visibilityTimeout();
        Duration tick = visibility.dividedBy(3).compareTo(Duration.ofSeconds(1)) < 0 ? visibility.dividedBy(3)
                : Duration.ofSeconds(1);
        while (keeping) {
            sleep(tick);
            try {
                renew();
                if (intake) {
                    for (String jobId : store.dueRetries(100)) {
                        store.requeueRetry(jobId);
                    }
                }
            } catch (RuntimeException e) {
                LOG.warnf("Job keeper: %s", e.getMessage());
            }
        }
    }

    private void renew() {
        List<JobRun> runs = List.copyOf(inHand.values());
        if (runs.isEmpty()) {
            return;
        }
        List<JobStore.Renewal> renewals = runs.stream()
                .map(run -> new JobStore.Renewal(run.entry(), run.reportedProgress())).toList();
        List<Integer> answers = store.renew(consumer, renewals);
        for (int i = 0; i < runs.size(); i++) {
            switch (answers.get(i)) {
                case 0 -> LOG.debugf("Job %s was taken over by another worker; finishing anyway", runs.get(i).jobId());
                case 2 -> runs.get(i).stop(false);
                default -> {
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private RedisConnection close(RedisConnection connection) {
        if (connection != null) {
            connection.closeAndForget();
        }
        return null;
    }

    private static void join(Thread thread, Duration timeout) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory cpuThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "tally-job-cpu-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
