package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.LogCapture;
import dev.tally.testsupport.Pause;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Real deadlocks, of platform threads, of virtual threads and of both, turn liveness DOWN (so Kubernetes restarts
 * the pod), name both threads, log both stacks once, show in the gauge and the dump; broken again, liveness is UP:
 * the check follows the process, it does not latch. Threads that merely contend are never reported. (A deadlock
 * on two monitors cannot be broken again: {@code VirtualMonitorDeadlockTest} runs it in a JVM of its own.)
 */
@QuarkusTest
class DeadlockLivenessTest {

    private static final String LOCK_WAIT = "parked on java.util.concurrent.locks.ReentrantLock";
    private static final String LOCK_FRAME = "dev.tally.ops.DeadlockMaker.lockInOrder(";

    @Inject
    DeadlockMaker maker;

    @Inject
    LockWaitGraph graph;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private DeadlockChecks checks;

    @BeforeEach
    void healthyBefore() throws Exception {
        checks = new DeadlockChecks(management);
        checks.assertHealthy(); // the control: live before each deadlock
    }

    @Test
    void twoPlatformThreadsOnTwoLocks() throws Exception {
        try (LogCapture log = LogCapture.of(DeadlockWatch.class.getName());
                DeadlockMaker.Deadlock deadlock = maker.platformOnLocks("deadlock-test-left", "deadlock-test-right")) {
            checks.assertReported(log, deadlock, LOCK_FRAME, LOCK_WAIT, LOCK_WAIT);
            assertTrue(log.messages().getFirst().contains("Locked ownable synchronizers:"), log.messages().getFirst());
        }
        checks.assertHealthy(); // live again once the deadlock is broken
    }

    @Test
    void twoVirtualThreadsOnTwoLocks() throws Exception {
        try (LogCapture log = LogCapture.of(DeadlockWatch.class.getName());
                DeadlockMaker.Deadlock deadlock = maker.virtualOnLocks("vdeadlock-lock-left", "vdeadlock-lock-right")) {
            checks.assertReported(log, deadlock, LOCK_FRAME, LOCK_WAIT, LOCK_WAIT);
            assertTrue(log.messages().getFirst().contains("Locked ownable synchronizers:\n\t- "
                    + "java.util.concurrent.locks.ReentrantLock$NonfairSync@"), log.messages().getFirst());
        }
        checks.assertHealthy();
    }

    @Test
    void twoVirtualThreadsOnAReadWriteLockAndALock() throws Exception {
        try (LogCapture log = LogCapture.of(DeadlockWatch.class.getName());
                DeadlockMaker.Deadlock deadlock = maker.virtualOnReadWriteLock("vdeadlock-rw-writer",
                        "vdeadlock-rw-reader")) {
            checks.assertReported(log, deadlock, LOCK_FRAME, LOCK_WAIT,
                    "parked on java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync");
        }
        checks.assertHealthy();
    }

    @Test
    void aVirtualThreadOnALockAndAPlatformThreadOnAMonitor() throws Exception {
        try (LogCapture log = LogCapture.of(DeadlockWatch.class.getName());
                DeadlockMaker.Deadlock deadlock = maker.virtualAndPlatform("vdeadlock-mixed-virtual",
                        "vdeadlock-mixed-platform")) {
            checks.assertReported(log, deadlock, "dev.tally.ops.DeadlockMaker.lambda$virtualAndPlatform$",
                    LOCK_WAIT, "waiting to lock java.lang.Object@");
        }
        checks.assertHealthy();
    }

    /**
     * The control: a hundred virtual threads queue, fifty for one lock and fifty for one monitor, each holding it
     * 30 ms, so that each waits about 1.5 s, long enough for the detector to read the JDK's dump, and none of it
     * is ever a deadlock.
     */
    @Test
    void manyVirtualThreadsContendingWithoutACycleAreNeverReported() throws Exception {
        long viewsBefore = graph.monitorViews();
        boolean sawQueue = false;
        try (LogCapture log = LogCapture.of(DeadlockWatch.class.getName());
                Contention contention = maker.contend("vdeadlock-contender-", 100, 30)) {
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (System.nanoTime() < until) {
                assertEquals(200, checks.liveStatus(), "contention is no deadlock");
                assertEquals(0, checks.deadlockedGauge());
                sawQueue |= contention.lock().getQueueLength() > 10;
                Pause.of(Duration.ofMillis(100));
            }
            assertTrue(sawQueue, "the control really queued threads on the lock");
            assertTrue(contention.turns().get() > 100, "the threads really took turns: " + contention.turns());
            assertTrue(graph.monitorViews() > viewsBefore, "the detector read the monitor waits too");
            assertEquals(0, log.messages().stream().filter(m -> m.startsWith("Deadlock:")).count(), log.messages()
                    .toString());
        }
        checks.assertHealthy();
    }
}
