package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.BinaryRedis;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.Problems;
import dev.tally.testsupport.ReplicaProcess;
import dev.tally.testsupport.TestCertificateAuthority;
import dev.tally.testsupport.Unique;

/**
 * Redis over TLS ({@code rediss://}) with the packaged jar configured as an operator would: the replica trusts one
 * certificate authority ({@code QUARKUS_REDIS_TLS_TRUST_CERTIFICATE_PEM_CERTS}), made at test time, and checks by
 * default that Redis' certificate is for the host name it dialled. A certificate from the same trusted authority
 * for another name is refused: the replica stays not ready and its Redis routes answer 503, with the reason in
 * its log. The last test shows what that default prevents: with verification turned off, the same certificate is
 * accepted.
 */
class RedisTlsIT {

    /** The name the replicas dial: what a certificate must be issued for. */
    private static final String HOST = "localhost";
    /** What the JDK says when a certificate's subject alternative names do not include the dialled host. */
    private static final String NAME_MISMATCH = "No subject alternative DNS name matching " + HOST;
    /** The warning that begins an episode of the live feeds' Redis subscription failing (runtime/FailureEpisode). */
    private static final String REFUSAL_LOGGED = "Redis change subscription failed";
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private static Path dir;
    private static TestCertificateAuthority authority;
    private final Http http = new Http();

    @BeforeAll
    static void makeAuthority() throws IOException {
        dir = Files.createTempDirectory("tally-redis-tls-");
        authority = TestCertificateAuthority.in(dir);
    }

    @AfterAll
    static void deleteCertificates() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void aCertificateForTheDialledHostNameIsAccepted() {
        int tlsPort = Ports.free();
        try (BinaryRedis redis = tlsRedis(tlsPort, authority.issue(HOST));
                ReplicaProcess replica = ReplicaProcess.start(name("tls-match"), rediss(tlsPort), trusting())) {
            String counter = Unique.name("tls");
            HttpResponse<String> increment = increment(replica, counter);
            assertEquals(200, increment.statusCode(), increment.body());
            // The replica knows only the TLS port: the value it wrote went over TLS.
            assertEquals("3", redis.command("GET", "tally:{c:" + counter + "}:value"));
            assertEquals(200, ready(replica));
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefusedThoughItsAuthorityIsTrusted() {
        int tlsPort = Ports.free();
        try (BinaryRedis redis = tlsRedis(tlsPort, authority.issue("redis.elsewhere.example"));
                ReplicaProcess replica = ReplicaProcess.launch(name("tls-mismatch"), rediss(tlsPort), trusting())) {
            replica.awaitLive(Duration.ofSeconds(60));
            awaitRefusalLogged(replica);
            String counter = Unique.name("tls-refused");

            HttpResponse<String> readiness = http.get(replica.managementUrl("/q/health/ready"));
            assertEquals(503, readiness.statusCode(), readiness.body());
            Problems.assertProblem(increment(replica, counter), 503, Problems.tally("store-unavailable"));
            assertNull(redis.command("GET", "tally:{c:" + counter + "}:value"), "nothing reached Redis");
            assertTrue(replica.isAlive(), "the replica runs on, not ready, and keeps trying");
        }
    }

    @Test
    void withHostNameVerificationTurnedOffTheSameCertificateWouldBeAccepted() {
        int tlsPort = Ports.free();
        Map<String, String> unverified = new HashMap<>(trusting());
        unverified.put("QUARKUS_REDIS_TLS_HOSTNAME_VERIFICATION_ALGORITHM", "NONE");
        try (BinaryRedis redis = tlsRedis(tlsPort, authority.issue("redis.elsewhere.example"));
                ReplicaProcess replica = ReplicaProcess.start(name("tls-unverified"), rediss(tlsPort), unverified)) {
            String counter = Unique.name("tls-unverified");
            assertEquals(200, increment(replica, counter).statusCode());
            assertEquals("3", redis.command("GET", "tally:{c:" + counter + "}:value"));
            assertEquals(List.of(), replica.logLinesWith(NAME_MISMATCH), "no name check was made");
        }
    }

    /** A redis-server with a TLS listener on {@code tlsPort} (clients need no certificate) beside its plain port. */
    private static BinaryRedis tlsRedis(int tlsPort, TestCertificateAuthority.Issued certificate) {
        return BinaryRedis.dedicated("--bind", "127.0.0.1", "-::1", "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certificate.certificate().toString(),
                "--tls-key-file", certificate.key().toString(),
                "--tls-ca-cert-file", authority.certificate().toString(), "--tls-auth-clients", "no");
    }

    private static String rediss(int tlsPort) {
        return "rediss://" + HOST + ":" + tlsPort;
    }

    /** The replica's trust store: the test authority only, as an operator points it at their Redis' CA. */
    private static Map<String, String> trusting() {
        return Map.of("QUARKUS_REDIS_TLS_TRUST_CERTIFICATE_PEM_CERTS", authority.certificate().toString());
    }

    private static String name(String label) {
        return label + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private HttpResponse<String> increment(ReplicaProcess replica, String counter) {
        return http.post(replica.url("/api/v1/counters/" + counter + "/increment"), "{\"by\":3}");
    }

    private int ready(ReplicaProcess replica) {
        return http.get(replica.managementUrl("/q/health/ready")).statusCode();
    }

    /** Waits for the change subscription's warning with the JDK's reason; fails at once if the replica gets ready. */
    private void awaitRefusalLogged(ReplicaProcess replica) {
        Instant deadline = Instant.now().plus(SETTLE);
        while (replica.logLinesWith(REFUSAL_LOGGED).stream().noneMatch(line -> line.contains(NAME_MISMATCH))) {
            assertEquals(503, ready(replica), "the replica took a certificate for another name; see " + replica.log());
            assertTrue(Instant.now().isBefore(deadline), "no '" + REFUSAL_LOGGED + "' line naming the mismatch within "
                    + SETTLE + "; see " + replica.log());
            Pause.of(Duration.ofMillis(200));
        }
    }
}
