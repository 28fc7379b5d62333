package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Pause;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@code /ops/threads} on the management interface: every thread, virtual ones included, with locks and stacks. */
@QuarkusTest
class ThreadDumpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KNOWN_METHOD = "dev.tally.work.BlockingWork.block(";

    @TestHTTPResource("/")
    URL app;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private Http managementHttp() throws Exception {
        return Http.at(management.toURI()).withBearer(OpsToken.ofTestApplication());
    }

    @Test
    void theDumpShowsAVirtualThreadBlockedInAKnownMethod() throws Exception {
        // A real request that blocks a virtual thread in BlockingWork.block; its deadline ends it after the test.
        CompletableFuture<HttpResponse<String>> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return Http.at(app.toURI()).get("/api/v1/work/blocking?ms=20000", "X-Request-Timeout", "8000");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode thread = awaitThread(frame -> frame.startsWith(KNOWN_METHOD), Duration.ofSeconds(6))
                .orElseThrow(() -> new AssertionError("no thread in " + KNOWN_METHOD + " within 6 s"));
        assertTrue(thread.path("virtual").asBoolean(), "the request's thread is virtual: " + thread);
        assertEquals("TIMED_WAITING", thread.path("state").asText(), thread.toString());
        assertTrue(thread.path("stack").get(0).asText().startsWith("java.base/java.lang.VirtualThread.park"),
                "the stack starts where it blocks: " + thread);

        String text = managementHttp().get("/ops/threads").body();
        assertTrue(text.contains("\" #" + thread.path("id").asLong() + " virtual TIMED_WAITING"), text);
        assertTrue(text.contains("\tat " + KNOWN_METHOD), text);

        assertEquals(504, blocked.join().statusCode(), "the control: the request really was blocked until its deadline");
    }

    @Test
    void platformThreadsShowTheLocksTheyHoldAndTheOnesTheyWaitFor() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Object monitor = new Object();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().name("dump-test-holder").start(() -> {
            synchronized (monitor) {
                lock.lock();
                try {
                    held.countDown();
                    release.await();
                } catch (InterruptedException ignored) {
                    // released
                } finally {
                    lock.unlock();
                }
            }
        });
        held.await();
        Thread waiter = Thread.ofPlatform().name("dump-test-waiter").start(lock::lock);
        try {
            JsonNode waiting = awaitThread(waiter.getName(), t -> t.path("waitKind").asText().equals("parked on"));
            assertEquals("\"dump-test-holder\" #" + holder.threadId(), waiting.path("lockOwner").asText(),
                    waiting.toString());
            assertTrue(waiting.path("waitingOn").asText().startsWith("java.util.concurrent.locks.ReentrantLock"),
                    waiting.toString());

            JsonNode holding = awaitThread(holder.getName(), t -> true);
            assertTrue(holding.path("synchronizers").toString().contains("ReentrantLock"), holding.toString());
            assertTrue(holding.path("monitors").toString().contains("java.lang.Object@"), holding.toString());

            String text = managementHttp().get("/ops/threads").body();
            assertTrue(text.contains("Locked ownable synchronizers:\n\t- java.util.concurrent.locks.ReentrantLock"),
                    text);
            assertTrue(text.contains("held by \"dump-test-holder\" #" + holder.threadId()), text);
        } finally {
            release.countDown();
            holder.join();
            waiter.join();
        }
    }

    private Optional<JsonNode> awaitThread(java.util.function.Predicate<String> topFrames, Duration within)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        do {
            for (JsonNode thread : dump().path("threads")) {
                for (JsonNode frame : thread.path("stack")) {
                    if (topFrames.test(frame.asText())) {
                        return Optional.of(thread);
                    }
                }
            }
            Pause.of(Duration.ofMillis(50));
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    private JsonNode awaitThread(String name, java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            for (JsonNode thread : dump().path("threads")) {
                if (thread.path("name").asText().equals(name) && condition.test(thread)) {
                    return thread;
                }
            }
            Pause.of(Duration.ofMillis(50));
        } while (System.nanoTime() < deadline);
        throw new AssertionError("thread " + name + " never reached the expected state");
    }

    private JsonNode dump() throws Exception {
        HttpResponse<String> response = managementHttp().get("/ops/threads?format=json");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(response.body());
    }
}
