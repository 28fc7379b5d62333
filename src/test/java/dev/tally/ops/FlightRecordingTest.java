package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Pause;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code POST /ops/recordings}: a real JFR recording that the JDK's own {@code jfr} tool reads, a summary that
 * names the method this test keeps hot and the lock it makes a thread wait for, one recording at a time, bounded
 * lengths.
 */
@QuarkusTest
class FlightRecordingTest {

    private static final String HOT = "dev.tally.ops.FlightRecordingTest.spin";

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private volatile long sink;

    @Test
    void theRecordingIsAJfrFileTheJdksToolReads() throws Exception {
        Http http = Http.at(management.toURI()).withBearer(OpsToken.ofTestApplication());
        CompletableFuture<HttpResponse<byte[]>> recording = HttpClient.newHttpClient().sendAsync(
                http.request("/ops/recordings?seconds=3").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        awaitRecording();
        HttpResponse<String> second = http.post("/ops/recordings?seconds=1", null);
        assertEquals(409, second.statusCode(), "one at a time: " + second.body());
        assertTrue(second.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));

        HttpResponse<byte[]> answer = recording.join();
        assertEquals(200, answer.statusCode());
        assertTrue(answer.headers().firstValue("Content-Disposition").orElse("").contains(".jfr"));
        Path file = Files.createTempFile("tally-test", ".jfr");
        try {
            Files.write(file, answer.body());
            Process jfr = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(),
                    "summary", file.toString()).redirectErrorStream(true).start();
            String summary = new String(jfr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(jfr.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, jfr.exitValue(), summary);
            assertTrue(summary.contains("jdk.ExecutionSample"), summary);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void theSummaryNamesTheMethodThatWasHotAndTheLockThatWasContended() throws Exception {
        Http http = Http.at(management.toURI()).withBearer(OpsToken.ofTestApplication());
        AtomicBoolean spinning = new AtomicBoolean(true);
        Thread hot = Thread.ofPlatform().name("recording-test-hot").start(() -> spin(spinning));
        try {
            CompletableFuture<HttpResponse<String>> answer = HttpClient.newHttpClient().sendAsync(
                    http.request("/ops/recordings?seconds=3&format=summary").POST(HttpRequest.BodyPublishers.noBody())
                            .build(), HttpResponse.BodyHandlers.ofString());
            awaitRecording();
            blockOnALockFor(Duration.ofMillis(300));
            HttpResponse<String> summary = answer.join();
            assertEquals(200, summary.statusCode(), summary.body());
            assertTrue(summary.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            String text = summary.body();
            System.out.println(text);
            String byOutsideJdk = text.substring(text.indexOf("by first frame outside the JDK"));
            assertTrue(byOutsideJdk.lines().skip(1).limit(3).anyMatch(line -> line.endsWith(HOT)), text);
            String contention = text.substring(text.indexOf("Lock contention"), text.indexOf("GC: "));
            assertTrue(contention.contains("java.util.concurrent.locks.ReentrantLock$NonfairSync"), text);
            assertTrue(text.contains("\"recording-test-waiter\" on java.util.concurrent.locks.ReentrantLock"), text);
            assertTrue(text.contains("Pinned virtual threads"), text);
        } finally {
            spinning.set(false);
            hot.join();
        }
    }

    /** A thread waits {@code length} for a lock that another one holds: contention the recording must show. */
    private static void blockOnALockFor(Duration length) throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch held = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().name("recording-test-holder").start(() -> {
            lock.lock();
            try {
                held.countDown();
                Pause.of(length);
            } finally {
                lock.unlock();
            }
        });
        held.await();
        Thread waiter = Thread.ofPlatform().name("recording-test-waiter").start(() -> {
            lock.lock();
            lock.unlock();
        });
        holder.join();
        waiter.join();
    }

    @Test
    void aLengthOutOfBoundsIsAClientsMistake() throws Exception {
        Http http = Http.at(management.toURI()).withBearer(OpsToken.ofTestApplication());
        for (String seconds : new String[] { "0", "61", "-1", "abc", "" }) {
            HttpResponse<String> refused = http.post("/ops/recordings?seconds=" + seconds, null);
            assertEquals(400, refused.statusCode(), seconds + ": " + refused.body());
            assertTrue(refused.body().contains("invalid-recording-length"), refused.body());
        }
        assertEquals(400, http.post("/ops/recordings", null).statusCode(), "no length at all");
    }

    private void spin(AtomicBoolean spinning) {
        long x = 1;
        while (spinning.get()) {
            for (int i = 0; i < 1_000_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink = x;
        }
    }

    /** Waits until the first request's recording runs (the JDK lists it), so that the second one really overlaps. */
    private static void awaitRecording() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().stream()
                .noneMatch(r -> r.getName().equals("tally-on-demand"))) {
            assertTrue(System.nanoTime() < deadline, "the recording never started");
            Pause.of(Duration.ofMillis(20));
        }
    }
}
