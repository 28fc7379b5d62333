package dev.tally.job;

import static dev.tally.testsupport.FakeReplies.array;
import static dev.tally.testsupport.FakeReplies.bulk;
import static dev.tally.testsupport.FakeReplies.flat;
import static dev.tally.testsupport.FakeReplies.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.tally.redis.Replies;

/** The job scripts' replies, as their comments describe them, decode into the types the worker switches on. */
class ScriptAnswersTest {

    @Test
    void startSaysRunWithTheJobsDataOrWhyNot() {
        assertEquals(new ScriptAnswers.Run("sleep", "{\"ms\":5}", 2, 1700000000000L),
                ScriptAnswers.start(flat("run", "sleep", "{\"ms\":5}", "2", "1700000000000")));
        assertEquals(new ScriptAnswers.Skip("expired"), ScriptAnswers.start(flat("skip", "expired")));
        assertEquals(new ScriptAnswers.Skip("succeeded"), ScriptAnswers.start(flat("skip", "succeeded")));
        assertEquals(new ScriptAnswers.GaveUp(), ScriptAnswers.start(flat("skip", "dead")));
        assertThrows(IllegalStateException.class, () -> ScriptAnswers.start(flat("jump")));
    }

    @Test
    void finishSaysWhoDecidedAndStartsTheNextEntryItTook() {
        assertEquals(new ScriptAnswers.Finished(ScriptAnswers.Finish.DECIDED, Optional.empty()),
                ScriptAnswers.finish(array(number(1))));
        assertEquals(new ScriptAnswers.Finished(ScriptAnswers.Finish.SUPERSEDED, Optional.empty()),
                ScriptAnswers.finish(array(number(0))));
        StreamEntry next = new StreamEntry("1700000000000-0", "0J1", "noop");
        assertEquals(new ScriptAnswers.Finished(ScriptAnswers.Finish.DECIDED, Optional.of(new ScriptAnswers.Delivery(
                next, new ScriptAnswers.Run("noop", "{}", 1, 1700000000000L)))),
                ScriptAnswers.finish(array(number(1), flat("1700000000000-0", "0J1", "noop"),
                        flat("run", "noop", "{}", "1", "1700000000000"))));
        assertEquals(new ScriptAnswers.Finished(ScriptAnswers.Finish.SUPERSEDED,
                Optional.of(new ScriptAnswers.Delivery(next, new ScriptAnswers.Skip("expired")))),
                ScriptAnswers.finish(array(number(0), flat("1700000000000-0", "0J1", "noop"), flat("skip", "expired"))));
        assertThrows(IllegalStateException.class, () -> ScriptAnswers.finish(array(number(2))));
    }

    @Test
    void retryAndRenewAnswersAreEnums() {
        assertEquals(ScriptAnswers.Retry.SCHEDULED, ScriptAnswers.retry(bulk("retry")));
        assertEquals(ScriptAnswers.Retry.DEAD, ScriptAnswers.retry(bulk("dead")));
        assertEquals(ScriptAnswers.Retry.STALE, ScriptAnswers.retry(bulk("stale")));
        assertEquals(List.of(ScriptAnswers.Claim.LOST, ScriptAnswers.Claim.HELD, ScriptAnswers.Claim.CANCEL_REQUESTED),
                ScriptAnswers.renew(array(number(0), number(1), number(2))));
        assertThrows(IllegalStateException.class, () -> ScriptAnswers.renew(array(number(3))));
    }

    @Test
    void cancelAnswersTheStatusBeforeAndNilForAnUnknownJob() {
        assertEquals(Optional.of(JobStatus.RUNNING), ScriptAnswers.cancel(bulk("running")));
        assertEquals(Optional.empty(), ScriptAnswers.cancel(null));
    }

    @Test
    void aRecordIsReadByFieldNameWhateverTheOrder() {
        JobRecord job = JobRecord.from(Replies.fields(flat("worker", "w1", "status", "dead", "entry", "",
                "attempts", "3", "type", "sleep", "retryAt", "", "createdAt", "1700000000000", "cancelRequested", "1",
                "error", "boom", "progress", "40")));
        assertEquals(JobStatus.DEAD, job.status());
        assertEquals(3, job.attempts());
        assertEquals(40, job.progress());
        assertEquals(1700000000000L, job.createdAt());
        assertNull(job.retryAt(), "an empty time is no time");
        assertNull(job.startedAt());
        assertEquals("boom", job.error());
        assertEquals("w1", job.worker());
        assertEquals(true, job.cancelRequested());
        assertNull(JobRecord.from(Replies.fields(null)), "no record: no job");
    }
}
