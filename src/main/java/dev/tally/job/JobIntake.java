package dev.tally.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.tally.redis.RedisReplyException;
import dev.tally.runtime.FailureEpisode;
import io.vertx.mutiny.redis.client.RedisConnection;

/**
 * Takes work, never more than the free slots ({@code tally.job.worker.concurrency}): every half visibility timeout
 * it first takes over entries whose worker stopped renewing ({@code XAUTOCLAIM}), then reads new ones
 * ({@code XREADGROUP ... BLOCK}) on a connection of its own, and starts each on a virtual thread of its own.
 */
final class JobIntake {

    private static final Logger LOG = Logger.getLogger(JobIntake.class);
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);

    private final JobStore store;
    private final JobSettings.Worker settings;
    private final String consumer;
    private final JobExecutor executor;
    private final Semaphore slots;
    private final FailureEpisode trouble = new FailureEpisode(LOG, "Job intake", PAUSE_AFTER_FAILURE);
    private volatile boolean taking;
    private Thread thread;

    JobIntake(JobStore store, JobSettings.Worker settings, String consumer, JobExecutor executor) {
        this.store = store;
        this.settings = settings;
        this.consumer = consumer;
        this.executor = executor;
        this.slots = new Semaphore(settings.concurrency());
    }

    void start() {
        taking = true;
        thread = Thread.ofVirtual().name("tally-job-intake").start(this::loop);
    }

    /** Takes nothing new from now on; a read in progress ends within the block time. */
    void stop() {
        taking = false;
    }

    boolean taking() {
        return taking;
    }

    /** Waits for the loop to end (a blocking read's wait plus a round trip at most). */
    void awaitStopped() {
        Waits.join(thread, settings.block().plusSeconds(3));
    }

    private void loop() {
        RedisConnection connection = null;
        long nextTakeOver = 0;
        Duration takeOverEvery = settings.visibilityTimeout().dividedBy(2);
        while (taking) {
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
                if (taken.size() < held && taking) {
                    if (connection == null) {
                        connection = store.connection();
                    }
                    taken.addAll(store.read(connection, consumer, held - taken.size(), settings.block()));
                }
                slots.release(held - taken.size());
                held = 0;
                trouble.succeeded();
                taken.forEach(this::launch);
            } catch (RuntimeException e) {
                slots.release(held);
                connection = recover(e, connection);
            }
        }
        close(connection);
    }

    /**
     * After a failed take: a deleted stream gets its group again; anything else (Redis down, or refusing for now:
     * full, loading, read-only, busy) is waited out on a fresh connection. Nothing here may end the loop.
     */
    private RedisConnection recover(RuntimeException failure, RedisConnection connection) {
        try {
            if (failure instanceof RedisReplyException reply && reply.hasCode("NOGROUP")) {
                store.ensureGroup().await().atMost(Duration.ofSeconds(5)); // the stream was deleted
                return connection;
            }
        } catch (RuntimeException stillFailing) {
            failure = stillFailing;
        }
        trouble.failed(failure);
        Waits.sleep(PAUSE_AFTER_FAILURE);
        return close(connection);
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
                executor.execute(entry);
            } finally {
                slots.release();
            }
        });
    }

    private static RedisConnection close(RedisConnection connection) {
        if (connection != null) {
            connection.closeAndForget();
        }
        return null;
    }
}
