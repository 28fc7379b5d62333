package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Hammer;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.PrometheusMetrics;
import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisProvisioner;
import dev.tally.testsupport.ReplicaProcess;
import dev.tally.testsupport.SlowLiveReader;
import dev.tally.testsupport.TrustedCertificate;
import dev.tally.testsupport.Unique;

/**
 * Live feeds across the real topology: the launcher's two replicas and Nginx (TLS) over one real Redis that this
 * test owns, so it can stop and restart it. Increments are made on replica 2; one client watches replica 1
 * directly, another watches through Nginx over {@code wss://}.
 */
class LiveUpdatesIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static RealRedis redis;
    private static LocalLauncher launcher;
    private static int appPort;
    private static int managementPort;
    private static int httpsPort;
    private static SSLContext tls;
    private final Http http = new Http();

    @BeforeAll
    static void launch() {
        redis = RedisProvisioner.controllable();
        appPort = Ports.freeRange(2);
        managementPort = Ports.freeRange(2);
        httpsPort = Ports.free();
        launcher = LocalLauncher.start(LocalLauncher.withNginxLimitsOff(Map.of("TALLY_REPLICAS", "2",
                "TALLY_PORT", Integer.toString(appPort),
                "TALLY_MANAGEMENT_PORT", Integer.toString(managementPort), "TALLY_REDIS_URL", redis.url(),
                "TALLY_HTTPS_PORT", Integer.toString(httpsPort), "TALLY_HTTP_PORT", Integer.toString(Ports.free()))))
                .awaitReady(Duration.ofSeconds(180));
        tls = TrustedCertificate.context(launcher.runDir().resolve("tls/cert.pem"));
    }

    @AfterAll
    static void stop() {
        LocalLauncher.stopCleanly(launcher, Duration.ofSeconds(90));
        if (redis != null) {
            redis.close();
        }
    }

    private static String direct(int replica, String path) {
        return "http://127.0.0.1:" + (appPort + replica - 1) + path;
    }

    private static LiveSocket watchDirectly(String name) {
        return LiveSocket.open("ws://127.0.0.1:" + appPort + "/api/v1/counters/" + name + "/live", name, null);
    }

    private static LiveSocket watchThroughNginx(String name) {
        return LiveSocket.open("wss://127.0.0.1:" + httpsPort + "/api/v1/counters/" + name + "/live", name, tls);
    }

    private static PrometheusMetrics metrics(int replica) {
        try {
            return new PrometheusMetrics(URI.create("http://127.0.0.1:" + (managementPort + replica - 1) + "/q/")
                    .toURL(), launcher.opsToken());
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static double bothReplicas(String metric) {
        return metrics(1).value(metric) + metrics(2).value(metric);
    }

    @Test
    void everyValueOfAThousandIncrementsOnReplicaTwoReachesWatchersOnReplicaOneAndThroughNginx() {
        String name = Unique.name("live-fanout");
        try (LiveSocket direct = watchDirectly(name); LiveSocket viaNginx = watchThroughNginx(name)) {
            direct.awaitLast(0, WAIT);
            viaNginx.awaitLast(0, WAIT);
            double sentBefore = bothReplicas("tally_live_messages_sent_total");
            double coalescedBefore = bothReplicas("tally_live_messages_coalesced_total");

            Hammer.Result result = Hammer.run(1000, 8, Duration.ofMinutes(2),
                    i -> http.post(direct(2, "/api/v1/counters/" + name + "/increment"), null));
            assertEquals(Map.of(200, 1000L), result.statuses(), result.toString());

            direct.awaitLast(1000, WAIT);
            viaNginx.awaitLast(1000, WAIT);
            for (LiveSocket socket : List.of(direct, viaNginx)) {
                List<Long> values = socket.values();
                for (int i = 1; i < values.size(); i++) {
                    assertTrue(values.get(i) > values.get(i - 1), "values only grow: " + socket.summary());
                }
                assertTrue(socket.malformed().isEmpty(), socket.malformed().toString());
            }
            // Every change is either delivered or counted as coalesced (replaced by a newer one): none is lost.
            long delivered = direct.values().size() - 1 + viaNginx.values().size() - 1;
            metrics(1).awaitAtLeast("tally_live_messages_sent_total", 0, WAIT);
            double sent = bothReplicas("tally_live_messages_sent_total") - sentBefore;
            double coalesced = bothReplicas("tally_live_messages_coalesced_total") - coalescedBefore;
            assertEquals(delivered, (long) sent, "messages the replicas wrote are the messages the clients read");
            assertEquals(2 * 1000, (long) (sent + coalesced), "each of 1000 changes, for each of 2 sockets");
            System.out.printf("live fan-out: direct got %d of 1000 values, via Nginx %d; %d coalesced%n",
                    direct.values().size() - 1, viaNginx.values().size() - 1, (long) coalesced);
        }
    }

    @Test
    void aRedisRestartKeepsSocketsOpenAndTheyGetTheFreshValueAfterRecovery() {
        String name = Unique.name("live-restart");
        try (LiveSocket direct = watchDirectly(name); LiveSocket viaNginx = watchThroughNginx(name)) {
            assertEquals(200, http.post(direct(2, "/api/v1/counters/" + name + "/increment"), "{\"by\":5}")
                    .statusCode());
            direct.awaitLast(5, WAIT);
            viaNginx.awaitLast(5, WAIT);
            double subscriptions = bothReplicas("tally_live_redis_subscribed_total");

            redis.stop();
            Pause.of(Duration.ofSeconds(3)); // the outage: replicas see their connections drop
            redis.start(); // empty: this Redis keeps no data across restarts, so the counter is back to 0

            // Each replica re-subscribed by itself and sent the value Redis now holds, without any change.
            metrics(1).awaitAtLeast("tally_live_redis_subscribed_total", 1, WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (bothReplicas("tally_live_redis_subscribed_total") < subscriptions + 2) {
                assertTrue(System.nanoTime() < deadline, "both replicas re-subscribed");
                Pause.of(Duration.ofMillis(100));
            }
            direct.awaitLast(0, WAIT);
            viaNginx.awaitLast(0, WAIT);

            awaitIncrementAccepted(name, 7);
            direct.awaitLast(7, WAIT);
            viaNginx.awaitLast(7, WAIT);
            assertFalse(direct.isClosed(), "the direct socket stayed open");
            assertFalse(viaNginx.isClosed(), "the socket through Nginx stayed open");
            assertEquals(List.of(5L, 0L, 7L), direct.values().subList(1, direct.values().size()));
        }
    }

    @Test
    void aReaderThatStopsReadingCostsOneWaitingMessageNotAQueueAndEndsOnTheFinalValue() throws IOException {
        String name = Unique.name("live-slow-" + "s".repeat(150)); // long names make bigger frames: TCP fills sooner
        String increment = "/api/v1/counters/" + name + "/increment";
        long heapBefore = heapAfterGc(1);
        double coalescedBefore = metrics(1).value("tally_live_messages_coalesced_total");
        long total = 0;
        try (SlowLiveReader slow = new SlowLiveReader(appPort, "/api/v1/counters/" + name + "/live")) {
            metrics(1).awaitAtLeast("tally_live_sockets_open", 1, WAIT);
            // Increment until the replica has had to coalesce plenty for the stalled reader (its socket buffers
            // are full), bounded in count.
            while (metrics(1).value("tally_live_messages_coalesced_total") - coalescedBefore < 2000 && total < 200_000) {
                Hammer.Result result = Hammer.run(5000, 16, Duration.ofMinutes(2),
                        i -> http.post(direct(2, increment), null));
                assertEquals(Map.of(200, 5000L), result.statuses(), result.toString());
                total += 5000;
            }
            double coalesced = metrics(1).value("tally_live_messages_coalesced_total") - coalescedBefore;
            assertTrue(coalesced >= 2000, "the stalled reader made the replica coalesce (" + coalesced + ")");
            assertTrue(metrics(1).value("tally_live_messages_waiting") <= metrics(1).value("tally_live_sockets_open"),
                    "at most one waiting message per socket");
            long heapAfter = heapAfterGc(1);
            System.out.printf("slow reader: %d increments, %.0f coalesced, heap after GC %d -> %d MB%n", total,
                    coalesced, heapBefore >> 20, heapAfter >> 20);
            assertTrue(heapAfter - heapBefore < 32L << 20,
                    "heap after GC grew by " + ((heapAfter - heapBefore) >> 20) + " MB");

            List<Long> seen = slow.readUntil(total, WAIT.toMillis());
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) > seen.get(i - 1), "values only grow");
            }
            assertEquals(total, seen.get(seen.size() - 1));
        }
    }

    @Test
    void atShutdownLiveSocketsAreToldToGoAwayAndDoNotHoldTheReplicaToItsShutdownTimeout() {
        String name = Unique.name("live-drain");
        try (ReplicaProcess replica = ReplicaProcess.start("live-drain", redis.url());
                LiveSocket socket = LiveSocket.open(replica.url("/api/v1/counters/" + name + "/live")
                        .replaceFirst("^http", "ws"), name, null)) {
            socket.awaitLast(0, WAIT);
            long started = System.nanoTime();
            replica.stop(Duration.ofSeconds(60));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertEquals(1001, socket.awaitClose(WAIT), "closed with 1001 going away");
            // quarkus.shutdown.delay is 5 s and quarkus.shutdown.timeout 20 s: a socket still counted as a
            // request in flight would hold the exit to 25 s.
            assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "replica stopped in " + took);
            System.out.printf("replica with a live socket stopped in %d ms%n", took.toMillis());
        }
    }

    private void awaitIncrementAccepted(String name, int by) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            HttpResponse<String> response = http.post(direct(2, "/api/v1/counters/" + name + "/increment"),
                    "{\"by\":" + by + "}");
            if (response.statusCode() == 200) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "increments accepted again after Redis returned");
            Pause.of(Duration.ofMillis(200));
        }
    }

    /** The replica's heap in use right after a full GC (requested with jcmd), as its metrics report it. */
    private static long heapAfterGc(int replica) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            Process gc = new ProcessBuilder(jcmd, Long.toString(launcher.replicaPid(replica)), "GC.run")
                    .redirectErrorStream(true).start();
            gc.getInputStream().readAllBytes();
            assertEquals(0, gc.waitFor(), "jcmd GC.run");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return (long) metrics(replica).value("jvm_memory_used_bytes", "area=\"heap\"");
    }
}
