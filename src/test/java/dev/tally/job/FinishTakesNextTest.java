package dev.tally.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tally.redis.JobKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.RedisConnection;

/**
 * A success recorded with the next entry taken and started in the same script ({@code job_finish} with a consumer):
 * a worker's one round trip per job while it has a backlog. The test plays a worker on a shard of a layout that this
 * application does not know, so its own worker never reads that stream.
 */
@QuarkusTest
class FinishTakesNextTest {

    private static final JobShard SHARD = new JobShard(7, 3);
    private static final String CONSUMER = "finish-takes-next-test";

    @Inject
    JobStore store;

    @Inject
    WorkerStore workers;

    @Inject
    RedisDataSource redis;

    private final List<String> submitted = new ArrayList<>();
    private JobKeys keys;

    @BeforeEach
    void createTheGroup() {
        keys = store.shards().keys(SHARD);
        workers.ensureGroup(SHARD).await().indefinitely();
    }

    @AfterEach
    void dropTheShard() {
        redis.execute("DEL", keys.stream(), keys.deadLetters(), keys.retries());
        submitted.forEach(id -> redis.execute("DEL", keys.job(id)));
    }

    @Test
    void eachSuccessStartsTheNextQueuedJobUntilTheStreamIsEmpty() {
        for (int i = 0; i < 5; i++) {
            submit();
        }
        StreamEntry entry = readAndStartTheFirst();
        List<String> ran = new ArrayList<>(List.of(entry.jobId()));
        while (true) {
            String result = "{\"n\":" + (ran.size() - 1) + "}";
            ScriptAnswers.Finished finished = workers.succeedAndTakeNext(entry, result, CONSUMER);
            assertEquals(ScriptAnswers.Finish.DECIDED, finished.finish(), "the success of " + entry.jobId());
            if (finished.next().isEmpty()) {
                break;
            }
            ScriptAnswers.Delivery next = finished.next().get();
            ScriptAnswers.Run run = assertInstanceOf(ScriptAnswers.Run.class, next.start());
            assertEquals(1, run.attempt());
            assertEquals("noop", run.type());
            assertEquals("noop", next.entry().type());
            assertEquals("running", field(next.entry().jobId(), "status"), "started in the same script");
            assertEquals(CONSUMER, field(next.entry().jobId(), "worker"));
            assertEquals(List.of(next.entry().entryId()), pendingEntries(), "the next entry is this consumer's claim");
            entry = next.entry();
            ran.add(entry.jobId());
        }
        assertEquals(submitted, ran, "every queued job, once each, in queue order");
        for (int i = 0; i < submitted.size(); i++) {
            assertEquals("succeeded", field(submitted.get(i), "status"));
            assertEquals("{\"n\":" + i + "}", field(submitted.get(i), "result"));
        }
        assertEquals(0L, redis.execute("XLEN", keys.stream()).toLong(), "every entry acknowledged and deleted");
        assertEquals(List.of(), pendingEntries());
    }

    @Test
    void aCancelledJobTakenNextIsDroppedUnrunAndAStaleSuccessStillTakesWork() {
        submit();
        String cancelled = submit();
        String last = submit();
        StreamEntry first = readAndStartTheFirst();
        assertEquals(Optional.of(JobStatus.QUEUED), store.cancel(cancelled, Optional.empty()).await().indefinitely());

        ScriptAnswers.Finished finished = workers.succeedAndTakeNext(first, "null", CONSUMER);

        ScriptAnswers.Delivery next = finished.next().orElseThrow();
        assertEquals(cancelled, next.entry().jobId());
        assertEquals(new ScriptAnswers.Skip("cancelled"), next.start());
        assertEquals("cancelled", field(cancelled, "status"));
        assertEquals(List.of(), pendingEntries(), "the cancelled job's entry is acknowledged");

        // A delivery that lost its job (here: finished a second time) decides nothing but still takes the next.
        ScriptAnswers.Finished stale = workers.succeedAndTakeNext(first, "null", CONSUMER);
        assertEquals(ScriptAnswers.Finish.SUPERSEDED, stale.finish());
        assertEquals(last, stale.next().orElseThrow().entry().jobId());
        assertInstanceOf(ScriptAnswers.Run.class, stale.next().get().start());
        assertEquals("succeeded", field(first.jobId(), "status"));
    }

    private String submit() {
        String id = store.submit(SHARD, "noop", "{}", "test-owner", System.currentTimeMillis()).await().indefinitely();
        submitted.add(id);
        return id;
    }

    private StreamEntry readAndStartTheFirst() {
        RedisConnection connection = workers.connection();
        try {
            List<StreamEntry> read = workers.read(connection, SHARD, CONSUMER, 1, Duration.ZERO);
            assertEquals(1, read.size());
            assertEquals(submitted.getFirst(), read.getFirst().jobId());
            assertInstanceOf(ScriptAnswers.Run.class, workers.start(read.getFirst(), CONSUMER));
            return read.getFirst();
        } finally {
            connection.closeAndForget();
        }
    }

    private String field(String jobId, String name) {
        return redis.execute("HGET", keys.job(jobId), name).toString();
    }

    private List<String> pendingEntries() {
        List<String> ids = new ArrayList<>();
        redis.execute("XPENDING", keys.stream(), JobStore.GROUP, "-", "+", "100", CONSUMER)
                .forEach(item -> ids.add(item.get(0).toString()));
        assertTrue(ids.size() <= 1, "one slot holds one claim at a time: " + ids);
        return ids;
    }
}
