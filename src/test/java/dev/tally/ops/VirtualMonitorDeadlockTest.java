package dev.tally.ops;

import java.net.URL;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.LogCapture;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Two virtual threads deadlocked on two monitors ({@code synchronized}; from Java 24 on a virtual thread blocked on
 * a monitor unmounts, so the JVM's finder never sees it). Nothing can break a monitor deadlock, so this test runs
 * alone in a JVM of its own (surefire's {@code own-jvm} execution, by its tag) and leaves the two threads behind
 * when that JVM exits; that liveness comes UP again once a cycle is gone is shown by {@link DeadlockLivenessTest}.
 */
@QuarkusTest
@Tag("own-jvm")
class VirtualMonitorDeadlockTest {

    @Inject
    DeadlockMaker maker;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void twoVirtualThreadsOnTwoMonitors() throws Exception {
        DeadlockChecks checks = new DeadlockChecks(management);
        checks.assertHealthy();
        try (LogCapture log = LogCapture.of(DeadlockWatch.class.getName())) {
            DeadlockMaker.Deadlock deadlock = maker.virtualOnMonitors("vdeadlock-monitor-left",
                    "vdeadlock-monitor-right");
            String monitorWait = "waiting to lock java.lang.Object@";
            checks.assertReported(log, deadlock, "dev.tally.ops.DeadlockMaker.enterInOrder(", monitorWait,
                    monitorWait);
        }
    }
}
