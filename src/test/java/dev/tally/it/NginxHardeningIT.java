package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Hammer;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.Load;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.Problems;
import dev.tally.testsupport.RawHttp;
import dev.tally.testsupport.TrustedCertificate;

/**
 * What Nginx closes, proven on the launcher's real topology (real Redis, two real replicas, real Nginx with TLS):
 * no version in {@code Server}, security headers on every answer, only the configured host names (421 otherwise),
 * relative {@code Location}s, its own refusals as problem documents, per-client connection caps, and load shedding
 * that stays a 503 for the shed request instead of ejecting the replica that shed it.
 */
class NginxHardeningIT {

    private static final int REPLICAS = 2;
    private static final int CONN_LIMIT = 70; // above the shedding test's 60 CPU requests and 2 readers
    private static final int LIVE_CONN_LIMIT = 3;

    private static LocalLauncher launcher;
    private static int appPort;
    private static int httpsPort;
    private static int httpPort;
    private static SSLContext tls;
    private static Http https;

    @BeforeAll
    static void launch() {
        appPort = Ports.freeRange(REPLICAS);
        httpsPort = Ports.free();
        httpPort = Ports.free();
        launcher = LocalLauncher.start(Map.ofEntries(Map.entry("TALLY_REPLICAS", Integer.toString(REPLICAS)),
                Map.entry("TALLY_PORT", Integer.toString(appPort)),
                Map.entry("TALLY_MANAGEMENT_PORT", Integer.toString(Ports.freeRange(REPLICAS))),
                Map.entry("TALLY_REDIS_PORT", Integer.toString(Ports.free())),
                Map.entry("TALLY_HTTPS_PORT", Integer.toString(httpsPort)),
                Map.entry("TALLY_HTTP_PORT", Integer.toString(httpPort)),
                // Rates out of the way (NginxLimitsIT covers them); the connection caps low enough to reach.
                Map.entry("TALLY_RATE_LIMIT", "100000r/s"), Map.entry("TALLY_RATE_BURST", "100000"),
                Map.entry("TALLY_WRITE_RATE_LIMIT", "100000r/s"), Map.entry("TALLY_WRITE_RATE_BURST", "100000"),
                Map.entry("TALLY_CONN_LIMIT", Integer.toString(CONN_LIMIT)),
                Map.entry("TALLY_LIVE_CONN_LIMIT", Integer.toString(LIVE_CONN_LIMIT)),
                // A short CPU queue per replica (2 running + 4 waiting): the shedding test sheds most of its load
                // and ends in seconds.
                Map.entry("TALLY_WORK_CPU_MAX_WAITING", "4")))
                .awaitReady(Duration.ofSeconds(120));
        tls = TrustedCertificate.context(launcher.runDir().resolve("tls/cert.pem"));
        https = Http.tls(tls, HttpClient.Version.HTTP_1_1);
    }

    @AfterAll
    static void stop() {
        LocalLauncher.stopCleanly(launcher, Duration.ofSeconds(60));
    }

    private static String url(String path) {
        return "https://127.0.0.1:" + httpsPort + path;
    }

    /**
     * The outage: 60 concurrent CPU requests through Nginx. Each replica sheds what its CPU pool cannot
     * take with a 503; Nginx used to retry every 503 on the other replica and count it toward max_fails=1, so both
     * replicas were ejected for fail_timeout and everything answered 502. Now the shed request gets its 503 and
     * the replicas stay in rotation: every read made meanwhile answers 200.
     */
    @Test
    void sheddingCpuLoadNeverEjectsAReplica() {
        String counter = url("/api/v1/counters/shed-" + UUID.randomUUID());
        assertEquals(200, https.post(counter + "/increment", null).statusCode());
        Load hello = Load.start(1, () -> https.get(url("/")).statusCode());
        Load counterReads = Load.start(1, () -> https.get(counter).statusCode());

        Queue<HttpResponse<String>> shed = new ConcurrentLinkedQueue<>();
        Hammer.Result cpu = Hammer.run(60, 60, Duration.ofSeconds(60), i -> {
            HttpResponse<String> response = https.get(url("/api/v1/work/cpu?iterations=3000000"));
            if (response.statusCode() == 503) {
                shed.add(response);
            }
            return response;
        });
        Map<Integer, Long> reads = new TreeMap<>(hello.stop());
        counterReads.stop().forEach((status, count) -> reads.merge(status, count, Long::sum));
        System.out.printf("CPU load through Nginx: %s in %d ms; reads meanwhile: %s%n", cpu.statuses(),
                cpu.elapsed().toMillis(), reads);

        assertEquals(Map.of(200, reads.getOrDefault(200, 0L)), reads, "every read during the load: 200 " + reads);
        assertTrue(reads.get(200) >= 10, "reads kept being made during the load: " + reads);
        assertEquals(0, cpu.noAnswer(), "every CPU request answered: " + cpu);
        assertEquals(cpu.total(), cpu.count(200) + cpu.count(503), "only served or shed: " + cpu.statuses());
        assertTrue(cpu.count(503) > 0 && cpu.count(200) > 0, "some shed, some served: " + cpu.statuses());
        for (HttpResponse<String> response : shed) {
            Problems.assertProblem(response, 503, Problems.tally("overloaded"));
            assertEquals(List.of("1"), response.headers().allValues("Retry-After"), "one Retry-After, the replica's");
        }
    }

    @Test
    void noVersionInServerAndSecurityHeadersOnEveryAnswer() {
        HttpResponse<String> fromReplica = https.get(url("/"));
        HttpResponse<String> replicaError = https.get(url("/no/such/route"));
        HttpResponse<String> nginxError = https.get(url("/_nginx/problem/400"));
        assertEquals(200, fromReplica.statusCode());
        assertEquals(404, replicaError.statusCode());
        assertEquals(404, nginxError.statusCode(), "the problem pages are internal");
        for (HttpResponse<String> response : List.of(fromReplica, replicaError, nginxError)) {
            Map<String, List<String>> headers = response.headers().map();
            assertEquals(List.of("nginx"), headers.get("server"), "no version: " + headers);
            assertEquals(List.of("nosniff"), headers.get("x-content-type-options"), headers.toString());
            assertEquals(List.of("DENY"), headers.get("x-frame-options"), headers.toString());
            assertEquals(List.of("no-referrer"), headers.get("referrer-policy"), headers.toString());
            assertEquals(List.of("max-age=63072000"), headers.get("strict-transport-security"), headers.toString());
            assertTrue(headers.get("content-security-policy").get(0).contains("frame-ancestors 'none'"),
                    headers.toString());
        }
        RawHttp.Answer redirect = RawHttp.plain(InetAddress.getLoopbackAddress(), httpPort,
                "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertEquals(308, redirect.status(), redirect.raw());
        assertEquals("nosniff", redirect.header("X-Content-Type-Options"), redirect.raw());
        assertEquals(null, redirect.header("Strict-Transport-Security"), "no HSTS over plain HTTP");

        // The headers do not get in the way of a WebSocket upgrade through Nginx.
        String counter = "headers-" + UUID.randomUUID();
        try (LiveSocket live = LiveSocket.open(wss(counter), counter, tls)) {
            live.awaitLast(0, Duration.ofSeconds(10));
        }
    }

    @Test
    void onlyTheConfiguredNamesAreServedAndLocationsAreRelative() {
        String submit = "POST /api/v1/jobs HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                + "Content-Length: 15\r\nConnection: close\r\n\r\n{\"type\":\"noop\"}";
        RawHttp.Answer forged = RawHttp.tls(tls, httpsPort, submit.formatted("evil.example"));
        assertNginxProblem(forged, 421, Problems.tally("misdirected-request"), "Misdirected request");
        assertEquals(null, forged.header("Location"), forged.raw());
        RawHttp.Answer forgedPlain = RawHttp.plain(InetAddress.getLoopbackAddress(), httpPort,
                "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        assertNginxProblem(forgedPlain, 421, Problems.tally("misdirected-request"), "Misdirected request");

        // A configured name: the job is queued and its Location, a path, is followable through the same origin.
        RawHttp.Answer queued = RawHttp.tls(tls, httpsPort, submit.formatted("localhost:" + httpsPort));
        assertEquals(202, queued.status(), queued.raw());
        String location = queued.header("Location");
        assertTrue(location.matches("/api/v1/jobs/[A-Za-z0-9_-]+"), "relative: " + location);
        assertEquals(200, https.get(url(location)).statusCode(), "followable: " + location);

        // Straight to a replica with a forged Host and forwarded headers: still only the path.
        RawHttp.Answer direct = RawHttp.plain(InetAddress.getLoopbackAddress(), appPort,
                submit.formatted("evil.example").replace("\r\n\r\n", "\r\nX-Forwarded-Host: evil.example\r\n\r\n"));
        assertEquals(202, direct.status(), direct.raw());
        assertTrue(direct.header("Location").startsWith("/api/v1/jobs/"), direct.raw());
    }

    @Test
    void nginxOwnRefusalsAreProblemDocuments() {
        String request = "GET %s HTTP/1.1\r\nHost: localhost\r\n%sConnection: close\r\n\r\n";
        assertNginxProblem(RawHttp.tls(tls, httpsPort, request.formatted("/api/v1/counters/a%00b", "")), 400,
                "about:blank", "Bad Request");
        assertNginxProblem(RawHttp.tls(tls, httpsPort, request.formatted("/../../etc/passwd", "")), 400,
                "about:blank", "Bad Request");
        assertNginxProblem(RawHttp.tls(tls, httpsPort, request.formatted("/", "Cookie: " + "a".repeat(20_000) + "\r\n")),
                431, "about:blank", "Request Header Fields Too Large");
        assertNginxProblem(RawHttp.tls(tls, httpsPort, request.formatted("/" + "a".repeat(9_000), "")), 414,
                "about:blank", "Request-URI Too Long");
        // The plain-HTTP port only redirects; what it cannot read is a 400 problem too.
        assertNginxProblem(RawHttp.plain(InetAddress.getLoopbackAddress(), httpPort, request.formatted("/a%00b", "")),
                400, "about:blank", "Bad Request");
    }

    /**
     * CONN_LIMIT requests in progress from one address (POSTs whose bodies never come: Nginx holds them, no
     * replica sees them) and the next request from it is refused, while another address is served; one fewer and
     * it is served: the cap is exact. The address is one of its own (127.0.0.3), so that nothing another test left
     * in progress (a live socket still closing) counts against it.
     */
    @Test
    void oneClientAddressHoldsAtMostTheConnectionLimit() throws IOException {
        InetAddress client = InetAddress.getByName("127.0.0.3");
        String get = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        List<SSLSocket> holders = new ArrayList<>();
        try {
            for (int i = 0; i < CONN_LIMIT; i++) {
                holders.add(unfinishedPost(client));
            }
            RawHttp.Answer refused = awaitStatus(429, () -> RawHttp.tls(tls, client, httpsPort, get));
            assertNginxProblem(refused, 429, Problems.tally("too-many-connections"), "Too many connections");
            assertEquals("1", refused.header("Retry-After"), refused.raw());
            assertEquals(200, https.get(url("/")).statusCode(), "another address is not limited");

            holders.remove(0).close();
            assertEquals(200, awaitStatus(200, () -> RawHttp.tls(tls, client, httpsPort, get)).status(),
                    "one under the cap: served");
        } finally {
            for (SSLSocket holder : holders) {
                holder.close();
            }
        }
    }

    @Test
    void liveSocketsPerClientAddressAreCappedTighter() {
        String counter = "live-cap-" + UUID.randomUUID();
        List<LiveSocket> open = new ArrayList<>();
        try {
            // awaitOpen: a live socket an earlier test closed may still count for a moment.
            for (int i = 0; i < LIVE_CONN_LIMIT; i++) {
                open.add(awaitOpen(counter));
            }
            assertEquals(429, LiveSocket.refusal(wss(counter), tls), "one socket over the cap");
            assertEquals(200, https.get(url("/")).statusCode(), "other requests are not refused");
            open.remove(0).close();
            open.add(awaitOpen(counter));
        } finally {
            open.forEach(LiveSocket::close);
        }
    }

    private static String wss(String counter) {
        return "wss://127.0.0.1:" + httpsPort + "/api/v1/counters/" + counter + "/live";
    }

    /**
     * A request whose headers are complete and whose body never comes, returned once Nginx has counted it. Nginx
     * counts a request in its preaccess phase and answers {@code Expect: 100-continue} only later, when it starts
     * reading the body: the interim answer is the proof. Without it the next request could overtake this one in
     * another worker process, be counted first, and leave this one to be refused.
     */
    private static SSLSocket unfinishedPost(InetAddress from) throws IOException {
        SSLSocket socket = RawHttp.tlsSocket(tls, from, httpsPort);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("POST /api/v1/counters/held/increment HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        StringBuilder interim = new StringBuilder();
        InputStream in = socket.getInputStream();
        for (int b = 0; b >= 0 && interim.indexOf("\r\n\r\n") < 0;) {
            b = in.read();
            if (b >= 0) {
                interim.append((char) b);
            }
        }
        if (!interim.toString().startsWith("HTTP/1.1 100 ")) {
            socket.close();
            throw new AssertionError("Nginx did not take the held request in: " + interim);
        }
        return socket;
    }

    /** Nginx counts and uncounts connections as it reads them, a moment after the client wrote: up to 5 s. */
    private static RawHttp.Answer awaitStatus(int status, Supplier<RawHttp.Answer> request) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        RawHttp.Answer answer = request.get();
        while (answer.status() != status && System.nanoTime() < deadline) {
            Pause.of(Duration.ofMillis(50));
            answer = request.get();
        }
        assertEquals(status, answer.status(), answer.raw());
        return answer;
    }

    /** Opens a live socket, retrying refused handshakes for up to 5 s while closed sockets leave Nginx's count. */
    private static LiveSocket awaitOpen(String counter) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try {
                return LiveSocket.open(wss(counter), counter, tls);
            } catch (RuntimeException refused) {
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
                Pause.of(Duration.ofMillis(50));
            }
        }
    }

    private static void assertNginxProblem(RawHttp.Answer answer, int status, String type, String title) {
        Problems.assertFromNginx(answer, status, type, title);
        assertEquals("nginx", answer.header("Server"), answer.raw());
        assertEquals("nosniff", answer.header("X-Content-Type-Options"), answer.raw());
    }
}
