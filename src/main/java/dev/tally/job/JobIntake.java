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
 * Takes work, never more than the free slots ({@code tally.job.worker.concurrency}), from every known shard
 * ({@link JobShards#known}): every half visibility timeout it first takes over entries whose worker stopped
 * renewing ({@code XAUTOCLAIM}, shard by shard), then reads new ones ({@code XREADGROUP}) on a connection of its
 * own, and starts each on a virtual thread of its own. Each round reads the shards in turn from a different first
 * one, so a shard with a long backlog cannot starve another: whichever shard comes first fills the free slots, and
 * the next round starts at the next shard. Reads do not wait in Redis unless the whole round found nothing; then
 * the last shard's read waits {@code tally.job.worker.block} divided by the number of shards, so an idle worker
 * looks at every shard about once per block time. With one shard, a slot whose job succeeded is refilled by the
 * {@link JobExecutor} in the script that records the success, while this worker takes jobs and no take-over is due:
 * the intake then fills only the slots that come free.
 */
final class JobIntake {

    private static final Logger LOG = Logger.getLogger(JobIntake.class);
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);

    private final WorkerStore store;
    private final JobSettings.Worker settings;
    private final String consumer;
    private final JobExecutor executor;
    private final Semaphore slots;
    private final FailureEpisode trouble = new FailureEpisode(LOG, "Job intake", PAUSE_AFTER_FAILURE);
    private final IntakeState state;
    private Thread thread;

    JobIntake(WorkerStore store, JobSettings.Worker settings, String consumer, IntakeState state,
            JobExecutor executor) {
        this.store = store;
        this.settings = settings;
        this.consumer = consumer;
        this.state = state;
        this.executor = executor;
        this.slots = new Semaphore(settings.concurrency());
    }

    void start() {
        state.taking(true);
        thread = Thread.ofVirtual().name("tally-job-intake").start(this::loop);
    }

    /** Takes nothing new from now on; a read in progress ends within the block time. */
    void stop() {
        state.taking(false);
    }

    boolean taking() {
        return state.taking();
    }

    /** Waits for the loop to end (a blocking read's wait plus a round trip at most). */
    void awaitStopped() {
        Waits.join(thread, settings.block().plusSeconds(3));
    }

    private void loop() {
        RedisConnection connection = null;
        Duration takeOverEvery = settings.visibilityTimeout().dividedBy(2);
        int round = 0;
        while (state.taking()) {
            int held = freeSlots();
            if (held == 0) {
                continue;
            }
            List<JobShard> shards = store.shards().known();
            List<StreamEntry> taken = new ArrayList<>();
            RuntimeException failure = null;
            try {
                if (state.takeOverDue()) {
                    for (JobShard shard : shards) {
                        if (taken.size() < held) {
                            taken.addAll(store.takeOver(shard, consumer, held - taken.size()));
                        }
                    }
                    state.takeOverDoneUntil(System.nanoTime() + takeOverEvery.toNanos());
                }
                if (taken.size() < held && state.taking()) {
                    if (connection == null) {
                        connection = store.connection();
                    }
                    read(connection, rotated(shards, round++), held, taken);
                }
                trouble.succeeded();
            } catch (RuntimeException e) {
                failure = e;
            }
            // What one shard gave is run even when a later shard failed: it is this consumer's now.
            slots.release(held - taken.size());
            taken.forEach(this::launch);
            if (failure != null) {
                connection = recover(failure, connection);
            }
        }
        close(connection);
    }

    /** Fills {@code taken} up to {@code held} from the shards in this order; see the class comment for the wait. */
    private void read(RedisConnection connection, List<JobShard> order, int held, List<StreamEntry> taken) {
        Duration idleWait = settings.block().dividedBy(order.size());
        for (int i = 0; i < order.size() && taken.size() < held; i++) {
            boolean lastChance = i == order.size() - 1 && taken.isEmpty();
            taken.addAll(store.read(connection, order.get(i), consumer, held - taken.size(),
                    lastChance ? idleWait : Duration.ZERO));
        }
    }

    /** The shards starting at the {@code round}-th one (modulo their number). */
    private static List<JobShard> rotated(List<JobShard> shards, int round) {
        int first = Math.floorMod(round, shards.size());
        List<JobShard> order = new ArrayList<>(shards.size());
        order.addAll(shards.subList(first, shards.size()));
        order.addAll(shards.subList(0, first));
        return order;
    }

    /**
     * After a failed take: a deleted stream (or a shard no worker has read yet) gets its group again; anything else
     * (Redis down, or refusing for now: full, loading, read-only, busy) is waited out on a fresh connection. Nothing
     * here may end the loop.
     */
    private RedisConnection recover(RuntimeException failure, RedisConnection connection) {
        try {
            if (failure instanceof RedisReplyException reply && reply.hasCode("NOGROUP")) {
                for (JobShard shard : store.shards().known()) {
                    store.ensureGroup(shard).await().atMost(Duration.ofSeconds(5));
                }
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
