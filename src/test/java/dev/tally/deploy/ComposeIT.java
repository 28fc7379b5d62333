package dev.tally.deploy;

import static dev.tally.deploy.DeployFiles.ROOT;
import static dev.tally.deploy.DeployFiles.deleteTree;
import static dev.tally.deploy.DeployFiles.selfSignedCertificate;
import static dev.tally.testsupport.Docker.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.tally.testsupport.Docker;
import dev.tally.testsupport.Hammer;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.ReplicaProcess;
import dev.tally.testsupport.RunsOnContainers;
import dev.tally.testsupport.Spread;
import dev.tally.testsupport.TrustedCertificate;
import dev.tally.testsupport.Unique;

/**
 * deploy/compose.yaml, unchanged, on a live engine: {@code docker-compose up --build} with the steps its header
 * documents (the self-signed certificate in TALLY_TLS_DIR; published ports moved to free ones through
 * TALLY_HTTPS_PORT and TALLY_HTTP_PORT, Nginx's rate and connection limits raised through the launcher's variables
 * (LocalLauncher.NGINX_LIMITS_OFF) so load measures the service; a generated ops token in TALLY_OPS_TOKEN), under a
 * project name of its own. Everything goes through Nginx on 127.0.0.1.
 */
@RunsOnContainers
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeIT {

    private static final Path COMPOSE_FILE = ROOT.resolve("deploy/compose.yaml");
    private static final String PROJECT = "tallyit" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private static final List<String> REPLICAS = List.of("tally-1", "tally-2", "tally-3");
    private static final String PROJECT_LABEL = "label=com.docker.compose.project=" + PROJECT;

    private static Path dir;
    private static Map<String, String> env;
    private static int httpsPort;
    private static SSLContext tls;
    private static Http h2;

    @BeforeAll
    static void up() throws IOException {
        dir = Files.createTempDirectory("tally-compose-it-");
        Path certificate = selfSignedCertificate(dir)[0];
        httpsPort = Ports.free();
        env = new HashMap<>(LocalLauncher.withNginxLimitsOff(Map.of("TALLY_TLS_DIR",
                certificate.getParent().toString(), "TALLY_HTTPS_PORT", Integer.toString(httpsPort),
                "TALLY_HTTP_PORT", Integer.toString(Ports.free()), "TALLY_OPS_TOKEN", OpsToken.generate(),
                // Every scope anonymously, as the other integration tests: this one is about Compose.
                "TALLY_AUTH_ANONYMOUS_SCOPES", ReplicaProcess.EVERY_SCOPE)));
        env.putAll(ReplicaProcess.UNLIMITED_QUOTA); // 32 clients from one address
        Instant started = Instant.now();
        compose(Duration.ofMinutes(10), "up", "-d", "--build").ok();
        System.out.printf("docker-compose up (build, health-gated start): %d s%n",
                Duration.between(started, Instant.now()).toSeconds());
        tls = TrustedCertificate.context(certificate);
        // Waited for with a client of its own: while Nginx starts, Docker's port proxy accepts and drops
        // connections, and a JDK HttpClient whose TLS handshakes failed there goes on with HTTP/1.1 to that
        // address for good (seen with JDK 25 against a listener that closes, then Nginx: HTTP_1_1 from that client,
        // HTTP_2 from a fresh one), which failed the HTTP/2 test below once for the wrong reason.
        Http waiting = Http.tls(tls, HttpClient.Version.HTTP_1_1);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!answers200(waiting, url("/"))) {
            assertTrue(Instant.now().isBefore(deadline), "Nginx did not answer 200 within 2 minutes:\n" + logs());
            Pause.of(Duration.ofMillis(500));
        }
        h2 = Http.tls(tls, HttpClient.Version.HTTP_2);
    }

    @AfterAll
    static void removeEverything() {
        if (env != null) {
            compose(Docker.COMMAND_TIMEOUT, "down", "-v", "--remove-orphans");
        }
        deleteTree(dir);
    }

    private static Docker.Output compose(Duration timeout, String... args) {
        String[] command = new String[args.length + 5];
        System.arraycopy(new String[] {"docker-compose", "-f", COMPOSE_FILE.toString(), "-p", PROJECT}, 0, command, 0, 5);
        System.arraycopy(args, 0, command, 5, args.length);
        return Docker.run(timeout, env, command);
    }

    private static String logs() {
        Docker.Output logs = compose(Docker.COMMAND_TIMEOUT, "logs", "--tail", "30");
        return logs.stdout() + logs.stderr();
    }

    private static String url(String path) {
        return "https://127.0.0.1:" + httpsPort + path;
    }

    private static boolean answers200(Http client, String url) {
        try {
            return client.get(url).statusCode() == 200;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    @Test
    @Order(1)
    void nginxNegotiatesHttp2OverTlsWithAlpn() throws IOException {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", httpsPort)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            assertEquals("h2", socket.getApplicationProtocol());
        }
        HttpResponse<String> response = h2.get(url("/"));
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals("Hello World", response.body());
    }

    /** What least_conn promises (see {@link Spread}): round robin when nothing is in flight, every replica serving. */
    @Test
    @Order(2)
    void requestsSpreadOverTheThreeReplicas() {
        Spread.awaitEveryReplicaServes(REPLICAS.size(), () -> h2.get(url("/")), Duration.ofSeconds(30));
        assertEquals(Set.copyOf(REPLICAS), Spread.assertRoundRobin(REPLICAS.size(), 300, () -> h2.get(url("/")))
                .keySet());

        Map<String, Long> byInstance = new ConcurrentHashMap<>();
        Hammer.Result result = Hammer.run(300, 6, Duration.ofMinutes(2), i -> {
            HttpResponse<String> response = h2.get(url("/"));
            Spread.count(byInstance, response);
            return response;
        });
        assertEquals(Map.of(200, 300L), result.statuses());
        assertEquals(Set.copyOf(REPLICAS), byInstance.keySet(), "every replica served concurrent requests: " + byInstance);
    }

    /**
     * Each increment carries its own Idempotency-Key and is retried once when it got no answer, as the README tells
     * clients to: all 2,000 go over one h2 connection, and Nginx ends a connection with GOAWAY after
     * keepalive_requests (1,000), which fails the streams the client had already started on it. The total must
     * still be exact: nothing lost, nothing counted twice.
     */
    @Test
    @Order(3)
    void incrementsFrom32ClientsAreExact() {
        String counter = url("/api/v1/counters/" + Unique.name("compose"));
        AtomicInteger retries = new AtomicInteger();
        Hammer.Result result = Hammer.run(2000, 32, Duration.ofMinutes(3), i -> {
            String key = "compose-it-" + i;
            try {
                return h2.post(counter + "/increment", "{}", "Idempotency-Key", key);
            } catch (RuntimeException noAnswer) {
                retries.incrementAndGet();
                return h2.post(counter + "/increment", "{}", "Idempotency-Key", key);
            }
        });
        System.out.printf("2,000 increments from 32 clients through Nginx: %d ms, %d retried%n",
                result.elapsed().toMillis(), retries.get());
        assertEquals(Map.of(200, 2000L), result.statuses(), "no answer: " + result.noAnswer());
        assertTrue(h2.get(counter).body().contains("\"value\":2000"), h2.get(counter).body());
    }

    @Test
    @Order(4)
    void aSessionSurvivesDockerKillOfTheReplicaThatCreatedIt() {
        HttpResponse<String> created = h2.post(url("/api/v1/sessions"), "{\"user\":\"ann\"}");
        assertEquals(201, created.statusCode());
        String creator = created.headers().firstValue("X-Tally-Instance").orElseThrow();
        String setCookie = created.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        // The instance id names the compose service (TALLY_INSTANCE_ID); its container is the one to kill.
        String container = compose(Docker.COMMAND_TIMEOUT, "ps", "-q", creator).ok().out();
        assertTrue(docker("inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", container).lines()
                .anyMatch(("TALLY_INSTANCE_ID=" + creator)::equals), creator + " runs in container " + container);
        docker("kill", container);
        assertEquals("false", docker("inspect", "-f", "{{.State.Running}}", container));

        for (int i = 0; i < 10; i++) {
            HttpResponse<String> read = h2.get(url("/api/v1/sessions/current"), "Cookie", cookie);
            assertEquals(200, read.statusCode(), read.body());
            assertTrue(read.body().contains("\"user\":\"ann\""), read.body());
            assertNotEquals(creator, read.headers().firstValue("X-Tally-Instance").orElseThrow());
        }
        HttpResponse<String> visit = h2.post(url("/api/v1/sessions/current/visits"), null, "Cookie", cookie);
        assertEquals(200, visit.statusCode(), visit.body());
    }

    @Test
    @Order(5)
    void downRemovesEveryContainerNetworkAndVolume() {
        assertEquals(1, docker("volume", "ls", "-q", "--filter", PROJECT_LABEL).lines().count(),
                "control: the Redis volume exists before down");
        compose(Docker.COMMAND_TIMEOUT, "down", "-v", "--remove-orphans").ok();
        assertEquals("", docker("ps", "-a", "-q", "--filter", PROJECT_LABEL), "containers left");
        assertEquals("", docker("network", "ls", "-q", "--filter", PROJECT_LABEL), "networks left");
        assertEquals("", docker("volume", "ls", "-q", "--filter", PROJECT_LABEL), "volumes left");
    }
}
