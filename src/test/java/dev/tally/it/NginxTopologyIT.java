package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.H2Load;
import dev.tally.testsupport.Hammer;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Load;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.RawHttp;
import dev.tally.testsupport.Spread;
import dev.tally.testsupport.TrustedCertificate;

/**
 * The whole topology as the launcher runs it: real Redis, three real replicas, real Nginx with TLS. Rate limiting
 * is set high here so load tests measure the service, not the limiter (NginxLimitsIT covers the limiter).
 */
class NginxTopologyIT {

    private static final int REPLICAS = 3;
    private static LocalLauncher launcher;
    private static int appPort;
    private static int managementPort;
    private static int httpsPort;
    private static int httpPort;
    private static SSLContext tls;
    private static Http https;
    private final Http plain = new Http();

    @BeforeAll
    static void launch() {
        appPort = Ports.freeRange(REPLICAS);
        managementPort = Ports.freeRange(REPLICAS);
        httpsPort = Ports.free();
        httpPort = Ports.free();
        launcher = LocalLauncher.start(LocalLauncher.withNginxLimitsOff(Map.of(
                "TALLY_REPLICAS", Integer.toString(REPLICAS),
                "TALLY_PORT", Integer.toString(appPort), "TALLY_MANAGEMENT_PORT", Integer.toString(managementPort),
                "TALLY_REDIS_PORT", Integer.toString(Ports.free()), "TALLY_HTTPS_PORT", Integer.toString(httpsPort),
                "TALLY_HTTP_PORT", Integer.toString(httpPort))))
                .awaitReady(Duration.ofSeconds(180));
        tls = TrustedCertificate.context(launcher.runDir().resolve("tls/cert.pem"));
        https = Http.tls(tls, HttpClient.Version.HTTP_1_1);
    }

    @AfterAll
    static void stop() {
        LocalLauncher.stopCleanly(launcher, Duration.ofSeconds(90));
    }

    /**
     * Tests that kill replicas leave the launcher restarting them: start each test with all of them ready, and
     * back in Nginx's rotation. Ready is not enough: Nginx skips a replica for fail_timeout (10 s) after it failed,
     * and a kill right after two earlier ones (a rolling restart, then a kill) once left no live upstream for 2 s.
     */
    @BeforeEach
    void allReplicasReadyAndInRotation() {
        for (int n = 1; n <= REPLICAS; n++) {
            awaitReady(n, Duration.ofSeconds(60));
        }
        Spread.awaitEveryReplicaServes(REPLICAS, () -> https.get(url("/")), Duration.ofSeconds(60));
    }

    private static String url(String path) {
        return "https://127.0.0.1:" + httpsPort + path;
    }

    @Test
    void tlsHandshakeNegotiatesHttp2OverAlpn() throws IOException {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", httpsPort)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] { "h2", "http/1.1" });
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            assertEquals("h2", socket.getApplicationProtocol());
            assertTrue(Set.of("TLSv1.3", "TLSv1.2").contains(socket.getSession().getProtocol()));
        }
        HttpResponse<String> response = Http.tls(tls, HttpClient.Version.HTTP_2).get(url("/"));
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals("Hello World", response.body());
    }

    /**
     * 6,000 increments over two h2 connections with ten streams each, from a client that never reconnects after
     * a GOAWAY: every one answered and counted. Nginx's default keepalive_requests (1,000) closed each connection
     * after its 1,000th request and this client lost the other 4,000.
     */
    @Test
    void multiplexedHttp2ConnectionsServeThousandsOfRequestsWithoutGoaway() {
        String counter = "/api/v1/counters/h2load-" + UUID.randomUUID();
        int total = 6_000; // 3,000 per connection: three times the default limit
        H2Load.Result result = H2Load.post(url(counter + "/increment"), "{}", total, 2, 10, Duration.ofMinutes(2));
        assertEquals(total, result.succeeded(), result.output());
        assertEquals(total, result.ok2xx(), result.output());
        assertTrue(https.get(url(counter)).body().contains("\"value\":" + total), "every increment counted once");
    }

    @Test
    void plainHttpRedirectsToHttpsAndHttpsSendsHsts() {
        HttpResponse<String> redirect = plain.get("http://127.0.0.1:" + httpPort + "/api/v1/counters/x?y=1");
        assertEquals(308, redirect.statusCode());
        assertEquals("https://127.0.0.1:" + httpsPort + "/api/v1/counters/x?y=1",
                redirect.headers().firstValue("Location").orElseThrow());
        assertTrue(https.get(url("/")).headers().firstValue("Strict-Transport-Security").orElseThrow()
                .startsWith("max-age="));
    }

    /** What least_conn promises (see {@link Spread}): round robin when nothing is in flight, every replica serving. */
    @Test
    void requestsSpreadOverAllReplicas() {
        Spread.assertRoundRobin(REPLICAS, 300, () -> https.get(url("/")));

        Map<String, Long> byInstance = new ConcurrentHashMap<>();
        Hammer.Result result = Hammer.run(300, 6, Duration.ofMinutes(1), i -> {
            HttpResponse<String> response = https.get(url("/"));
            Spread.count(byInstance, response);
            return response;
        });
        assertEquals(Map.of(200, 300L), result.statuses());
        assertEquals(REPLICAS, byInstance.size(), "every replica served concurrent requests: " + byInstance);
    }

    @Test
    void nginxRequestIdReachesTheReplicaAndComesBackOnce() {
        HttpResponse<String> response = https.get(url("/no/such/route"));
        assertEquals(404, response.statusCode());
        List<String> ids = response.headers().allValues("X-Request-Id");
        assertEquals(1, ids.size(), "exactly one X-Request-Id: " + ids);
        assertTrue(ids.get(0).matches("[0-9a-f]{32}"), "Nginx's $request_id: " + ids);
        assertTrue(response.body().contains("\"requestId\":\"" + ids.get(0) + "\""), response.body());
    }

    /**
     * A Location is the path alone (RFC 9110 allows a relative one): never built from Host or X-Forwarded-*, which
     * a client sets, so neither a forged header nor a published port (compose) can send a client elsewhere.
     */
    @Test
    void locationsAreRelativeThroughNginxAndDirect() {
        HttpResponse<String> viaNginx = https.post(url("/api/v1/sessions"), "{}");
        assertEquals("/api/v1/sessions/current", viaNginx.headers().firstValue("Location").orElseThrow());

        RawHttp.Answer forged = RawHttp.plain(InetAddress.getLoopbackAddress(), appPort,
                "POST /api/v1/sessions HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Proto: https\r\n"
                        + "X-Forwarded-Host: evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertEquals(201, forged.status(), forged.raw());
        assertEquals("/api/v1/sessions/current", forged.header("Location"), forged.raw());
    }

    @Test
    void aSessionThroughNginxWorksWhicheverReplicaServesIt() {
        HttpResponse<String> created = https.post(url("/api/v1/sessions"), "{\"user\":\"ann\"}");
        assertEquals(201, created.statusCode());
        String setCookie = created.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("; Secure"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        Set<String> servedBy = ConcurrentHashMap.newKeySet();
        Hammer.Result visits = Hammer.run(60, 6, Duration.ofMinutes(1), i -> {
            HttpResponse<String> response = https.post(url("/api/v1/sessions/current/visits"), null, "Cookie", cookie);
            servedBy.add(response.headers().firstValue("X-Tally-Instance").orElse("?"));
            return response;
        });
        assertEquals(Map.of(200, 60L), visits.statuses());
        assertTrue(servedBy.size() >= 2, "served by several replicas: " + servedBy);
        String session = https.get(url("/api/v1/sessions/current"), "Cookie", cookie).body();
        assertTrue(session.contains("\"visits\":60") && session.contains("\"user\":\"ann\""), session);
    }

    @Test
    void killingAReplicaDuringConcurrentGetsFailsNone() {
        String counter = "/api/v1/counters/kill-gets-" + UUID.randomUUID();
        Load load = Load.start(16, () -> https.get(url(counter)).statusCode());
        Pause.of(Duration.ofSeconds(5));
        LocalLauncher.signal(launcher.replicaPid(2), "KILL");
        Pause.of(Duration.ofSeconds(15));
        Map<Integer, Long> statuses = load.stop();
        assertEquals(Set.of(200), statuses.keySet(), "every GET answered 200 through the kill: " + statuses);
        System.out.printf("kill -9 during GETs: %s%n", statuses);
    }

    @Test
    void idempotentIncrementsRetriedByClientsSurviveAKillAndRestartExactly() {
        String counter = "/api/v1/counters/kill-idem-" + UUID.randomUUID();
        int keys = 3000;
        AtomicLong clientRetries = new AtomicLong();
        Hammer.Result result;
        try (ExecutorService chaos = Executors.newVirtualThreadPerTaskExecutor()) {
            chaos.submit(() -> {
                Pause.of(Duration.ofSeconds(2));
                LocalLauncher.signal(launcher.replicaPid(1), "KILL");
                return null;
            });
            result = Hammer.run(keys, 32, Duration.ofMinutes(3), i -> {
                for (int attempt = 1;; attempt++) {
                    try {
                        HttpResponse<String> response = https.post(url(counter + "/increment"), null,
                                "Idempotency-Key", "key-" + i);
                        if (response.statusCode() == 200 || attempt == 20) {
                            return response;
                        }
                    } catch (RuntimeException noAnswer) {
                        if (attempt == 20) {
                            throw noAnswer;
                        }
                    }
                    clientRetries.incrementAndGet();
                    Pause.of(Duration.ofMillis(100L * attempt));
                }
            });
        }
        assertEquals(Map.of(200, (long) keys), result.statuses());
        assertTrue(https.get(url(counter)).body().contains("\"value\":" + keys), "exactly one count per key");
        System.out.printf("idempotent increments through a kill: %d keys, %d client retries%n", keys,
                clientRetries.get());
    }

    /**
     * Zero errors, POSTs included, with no client retry: each draining replica hands Nginx's idempotent requests
     * back (guard/DrainHandoff), so Nginx stops sending it anything before its listener closes. Without that, a
     * POST caught in the instant the listener closes got a 502 that Nginx must not replay. The clients still
     * carry an Idempotency-Key and a retry loop, so that a failure shows up as a status here, not a wrong count.
     */
    @Test
    void rollingRestartUnderLoadHasZeroErrors() {
        String counter = "/api/v1/counters/rolling-" + UUID.randomUUID();
        AtomicLong keys = new AtomicLong();
        Map<Integer, LongAdder> retriedStatuses = new ConcurrentHashMap<>();
        Load gets = Load.start(8, () -> https.get(url(counter)).statusCode());
        Load posts = Load.start(4, () -> {
            String key = "rolling-" + keys.incrementAndGet();
            int status = -1;
            for (int attempt = 1; attempt <= 10 && status != 200; attempt++) {
                try {
                    status = https.post(url(counter + "/increment"), null, "Idempotency-Key", key).statusCode();
                } catch (RuntimeException noAnswer) {
                    status = -1;
                }
                if (status != 200) {
                    retriedStatuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                    Pause.of(Duration.ofMillis(50L * attempt));
                }
            }
            return status;
        });
        for (int n = 1; n <= REPLICAS; n++) {
            long before = launcher.replicaPid(n);
            LocalLauncher.signal(before, "TERM");
            awaitRestarted(n, before, Duration.ofSeconds(90));
        }
        Map<Integer, Long> getStatuses = gets.stop();
        Map<Integer, Long> postStatuses = posts.stop();
        assertEquals(Set.of(200), getStatuses.keySet(), "GETs during the rolling restart: " + getStatuses);
        assertEquals(Set.of(200), postStatuses.keySet(), "POSTs (after client retries): " + postStatuses);
        assertTrue(https.get(url(counter)).body().contains("\"value\":" + keys.get()),
                "one count per key: " + https.get(url(counter)).body() + " for " + keys.get() + " keys");
        System.out.printf("rolling restart: GETs %s, POSTs %s, POST attempts retried by clients, by status: %s%n",
                getStatuses, postStatuses, retriedStatuses);
        // The clients' retry loop is only a safety net for the count above: a draining replica hands idempotent
        // requests back, which takes it out of Nginx's rotation before its listener closes, so no POST fails.
        assertEquals(Map.of(), Map.copyOf(retriedStatuses), "POSTs that failed on their first attempt, by status");
    }

    @Test
    void slowlorisConnectionsDoNotDelayNormalRequests() throws Exception {
        List<Long> before = latencies(40);
        List<SSLSocket> slow = new ArrayList<>();
        AtomicBoolean dripping = new AtomicBoolean(true);
        try (ExecutorService drip = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", httpsPort);
                socket.startHandshake();
                slow.add(socket);
            }
            for (SSLSocket socket : slow) {
                drip.submit(() -> {
                    // Headers one byte at a time, never finished.
                    byte[] head = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa".getBytes(
                            StandardCharsets.US_ASCII);
                    OutputStream out = socket.getOutputStream();
                    for (int b = 0; b < head.length && dripping.get(); b++) {
                        out.write(head[b]);
                        out.flush();
                        Thread.sleep(250);
                    }
                    return null;
                });
            }
            Pause.of(Duration.ofSeconds(1));
            List<Long> during = latencies(40);
            long medianBefore = median(before);
            long medianDuring = median(during);
            System.out.printf("slowloris: median GET %d ms before, %d ms with 200 slow connections%n",
                    medianBefore / 1_000_000, medianDuring / 1_000_000);
            // Same latency within the noise of a shared 2-core machine.
            assertTrue(medianDuring <= 3 * medianBefore + 20_000_000L,
                    "median " + medianDuring / 1_000_000 + " ms vs " + medianBefore / 1_000_000 + " ms before");
            dripping.set(false);
        } finally {
            for (SSLSocket socket : slow) {
                socket.close();
            }
        }
    }

    private List<Long> latencies(int count) {
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            assertEquals(200, https.get(url("/")).statusCode());
            nanos.add(System.nanoTime() - start);
        }
        return nanos;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private void awaitReady(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (plain.get("http://127.0.0.1:" + (managementPort + n - 1) + "/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (RuntimeException notUpYet) {
                // keep polling
            }
            Pause.of(Duration.ofMillis(200));
        }
        throw new AssertionError("replica " + n + " not ready within " + timeout + "\n" + launcher.output());
    }

    private void awaitRestarted(int n, long previousPid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (launcher.replicaPid(n) == previousPid) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("replica " + n + " was not restarted\n" + launcher.output());
            }
            Pause.of(Duration.ofMillis(100));
        }
        awaitReady(n, timeout);
    }
}
