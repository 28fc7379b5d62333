package dev.tally.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import io.vertx.core.Vertx;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Under mixed load (blocking work, CPU work, counter increments), the event loop never blocks (Vert.x's
 * blocked-thread checker stays silent) and no virtual thread pins its carrier (JFR records no
 * {@code jdk.VirtualThreadPinned} event).
 */
@QuarkusTest
class IsolationTest {

    private static final String CHECKER = "io.vertx.core.impl.BlockedThreadChecker";

    @TestHTTPResource("/")
    URL app;

    @Inject
    Vertx vertx;

    private static Handler collecting(ConcurrentLinkedQueue<String> messages) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                messages.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void mixedLoadNeitherBlocksTheEventLoopNorPinsAVirtualThread() throws Exception {
        Http http = Http.at(app.toURI());
        Logger checker = Logger.getLogger(CHECKER);
        ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
        Handler capture = collecting(warnings);
        checker.addHandler(capture);
        // Class loading and initialization pin a virtual thread (a JDK limitation, once per class): warm up so
        // that the recording sees the service's steady state.
        mixedLoad(http);
        List<RecordedEvent> pinned;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            recording.start();

            List<Integer> statuses = mixedLoad(http);
            assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 503), statuses.toString());
            assertTrue(statuses.stream().filter(s -> s == 200).count() >= 100, "most work was admitted");

            recording.stop();
            Path file = Files.createTempFile("tally-pinning", ".jfr");
            recording.dump(file);
            // Only the service's own virtual threads count; the test's HTTP clients run in this JVM too.
            pinned = RecordingFile.readAllEvents(file).stream()
                    .filter(event -> event.getThread("eventThread") != null
                            && event.getThread("eventThread").getJavaName().startsWith("quarkus-virtual-thread"))
                    .toList();
            Files.deleteIfExists(file);
        } finally {
            checker.removeHandler(capture);
        }
        assertEquals(List.of(), pinned.stream().map(RecordedEvent::toString).toList(), "pinned virtual threads");
        assertEquals(List.of(), List.copyOf(warnings), "Vert.x blocked-thread warnings");
    }

    /** The detector above must be able to fail: block an event loop on purpose and expect the warning. */
    @Test
    void theBlockedThreadCheckerIsHeardWhenAnEventLoopReallyBlocks() throws Exception {
        ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
        Handler capture = collecting(warnings);
        Logger checker = Logger.getLogger(CHECKER);
        checker.addHandler(capture);
        try {
            CountDownLatch done = new CountDownLatch(1);
            vertx.getOrCreateContext().runOnContext(ignored -> {
                // Deliberately blocks the event loop, well past the 2 s limit and the checker's 1 s period.
                Pause.of(Duration.ofMillis(6000));
                done.countDown();
            });
            assertTrue(done.await(30, TimeUnit.SECONDS));
        } finally {
            checker.removeHandler(capture);
        }
        assertFalse(warnings.isEmpty(), "Vert.x reported the blocked event loop");
    }

    private static List<Integer> mixedLoad(Http http) {
        return Concurrently.run(300, 24, Duration.ofMinutes(2), i -> switch (i % 3) {
            // The test profile's bulkheads are small: shed calls (503) are part of the load too.
            case 0 -> http.get("/api/v1/work/blocking?ms=200").statusCode();
            case 1 -> http.get("/api/v1/work/cpu?iterations=20000").statusCode();
            default -> http.post("/api/v1/counters/isolation/increment", null).statusCode();
        });
    }
}
