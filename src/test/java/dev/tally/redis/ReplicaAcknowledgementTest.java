package dev.tally.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.FakeReplies;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;

/**
 * How a write's batch with its {@code WAIT} is read. The failure texts are the driver's (Vert.x Redis client
 * 4.5.27): one "ERR [index] reply" line per failed command; the replies are redis-server 7.0.15's. The real thing
 * runs in {@code ReplicaAcknowledgementOnSentinelTest} and {@code ReplicaAcknowledgementOnClusterTest}.
 */
class ReplicaAcknowledgementTest {

    private final ReplicaAcknowledgement one = new ReplicaAcknowledgement(1, Duration.ofMillis(1500));

    @Test
    void theWaitFollowsTheWriteWithinAThirdOfTheBudget() {
        List<Request> batch = one.batch(Request.cmd(Command.INCR).arg("k"));
        assertEquals(2, batch.size());
        // toString() is the RESP encoding: *3 $4 WAIT $1 1 $3 500
        assertEquals(List.of("*3", "$4", "wait", "$1", "1", "$3", "500"), batch.get(1).toString().lines().toList());
        assertTrue(one.wanted());
        assertFalse(new ReplicaAcknowledgement(0, Duration.ofMillis(1500)).wanted());
        assertThrows(IllegalArgumentException.class, () -> new ReplicaAcknowledgement(-1, Duration.ofSeconds(1)));
    }

    @Test
    void enoughReplicasGiveTheWritesReplyFewerAnUnconfirmedWrite() {
        Response written = FakeReplies.number(7);
        assertSame(written, one.confirmed(List.of(written, FakeReplies.number(1)), "INCR"));
        RedisUnavailableException unconfirmed = assertThrows(RedisUnavailableException.class,
                () -> one.confirmed(List.of(written, FakeReplies.number(0)), "INCR"));
        assertTrue(unconfirmed.writeUnconfirmed());
        assertTrue(unconfirmed.getMessage().contains("0 of 1 replicas"), unconfirmed.getMessage());
    }

    @Test
    void aFailedWriteIsItsOwnReplyWhateverTheWaitSaid() {
        assertReply("MOVED 3999 127.0.0.1:7001", "ERR [0] MOVED 3999 127.0.0.1:7001");
        assertReply("NOSCRIPT No matching script. Please use EVAL.",
                "ERR [0] NOSCRIPT No matching script. Please use EVAL.");
        assertReply("READONLY You can't write against a read only replica.",
                "ERR [0] READONLY You can't write against a read only replica.\nERR [1] WAIT cannot be used with "
                        + "replica instances. Please also note that since Redis 4.0 if a replica is configured to be "
                        + "writable (which is not the default) writes to replicas are just local and are not "
                        + "propagated.");
        assertReply("MISMATCH 5", "ERR [0] MISMATCH 5");
    }

    @Test
    void aWriteWithoutAReplyIsAnOutageAndAFailedWaitAnUnconfirmedWrite() {
        for (String closed : List.of("ERR [0] io.netty.channel.StacklessClosedChannelException",
                "ERR [0] io.vertx.core.impl.NoStackTraceThrowable: Connection is closed")) {
            var outage = assertInstanceOf(RedisUnavailableException.class, failed(closed));
            assertFalse(outage.writeUnconfirmed(), closed);
            assertTrue(outage.refusal().isEmpty(), closed);
        }
        var waitFailed = assertInstanceOf(RedisUnavailableException.class,
                failed("ERR [1] io.netty.channel.StacklessClosedChannelException"));
        assertTrue(waitFailed.writeUnconfirmed());
        assertTrue(one.ofFailedBatch(new IllegalStateException("no connection"), "INCR").isEmpty());
    }

    private void assertReply(String expected, String batchFailure) {
        ErrorType reply = assertInstanceOf(ErrorType.class, failed(batchFailure));
        assertEquals(expected, reply.getMessage());
    }

    private Throwable failed(String batchFailure) {
        return one.ofFailedBatch(ErrorType.create(batchFailure), "INCR").orElseThrow();
    }
}
