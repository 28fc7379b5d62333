package dev.tally.deploy;

import static dev.tally.deploy.DeployFiles.ROOT;
import static dev.tally.deploy.DeployFiles.applicationProperties;
import static dev.tally.deploy.DeployFiles.duration;
import static dev.tally.testsupport.Docker.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.tally.testsupport.Docker;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.ReplicaProcess;
import dev.tally.testsupport.RunsOnContainers;
import dev.tally.testsupport.Unique;

/**
 * The project's Dockerfile, built (from the packaged fast-jar, as users do after {@code ./mvnw package}) and run
 * against a Redis container on a user-defined network: probes answer on the management port only, the process is
 * the non-root UID 185, Docker's own HEALTHCHECK turns healthy, and SIGTERM ({@code docker stop}) drains and exits
 * within the grace period that deploy/compose.yaml gives it. Everything it creates is removed afterwards.
 */
@RunsOnContainers
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageIT {

    private static final String ID = UUID.randomUUID().toString().substring(0, 8);
    private static final String IMAGE = "tally-image-it:" + ID;
    private static final String NETWORK = "tally-image-it-" + ID;
    private static final String REDIS = "tally-image-it-redis-" + ID;
    private static final String APP = "tally-image-it-app-" + ID;
    /** deploy/compose.yaml's stop_grace_period for the replicas (ComposeFileTest keeps it above the drain time). */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private static Http management;
    private static Http app;

    @BeforeAll
    static void buildAndRun() {
        Instant started = Instant.now();
        Docker.run(Duration.ofMinutes(10), Map.of(), "docker", "build", "-t", IMAGE, ROOT.toString()).ok();
        System.out.printf("docker build of the Dockerfile: %d s%n", Duration.between(started, Instant.now()).toSeconds());
        docker("network", "create", NETWORK);
        docker("run", "-d", "--name", REDIS, "--network", NETWORK, "redis:7",
                "redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no");
        Properties properties = applicationProperties();
        String appPort = properties.getProperty("quarkus.http.port");
        String managementPort = properties.getProperty("quarkus.management.port");
        // Every scope anonymously: this test is about the image, not authentication (docs/testing.md).
        docker("run", "-d", "--name", APP, "--network", NETWORK, "-e", "QUARKUS_REDIS_HOSTS=redis://" + REDIS + ":6379",
                "-e", "TALLY_AUTH_ANONYMOUS_SCOPES=" + ReplicaProcess.EVERY_SCOPE, "-p", "127.0.0.1::" + appPort, "-p", "127.0.0.1::" + managementPort, IMAGE);
        management = Http.at(java.net.URI.create("http://" + docker("port", APP, managementPort).lines().findFirst()
                .orElseThrow() + "/"));
        app = Http.at(java.net.URI.create("http://" + docker("port", APP, appPort).lines().findFirst().orElseThrow()
                + "/"));
    }

    @AfterAll
    static void removeEverything() {
        Docker.run(Docker.COMMAND_TIMEOUT, Map.of(), "docker", "rm", "-f", "-v", APP, REDIS);
        Docker.run(Docker.COMMAND_TIMEOUT, Map.of(), "docker", "network", "rm", NETWORK);
        Docker.run(Docker.COMMAND_TIMEOUT, Map.of(), "docker", "rmi", IMAGE);
    }

    @Test
    @Order(1)
    void probesAnswerOnTheManagementPortAndTheApiReachesRedis() {
        awaitStatus(management, "q/health/ready", 200, Duration.ofMinutes(2));
        assertEquals(200, management.get("q/health/live").statusCode());
        assertEquals(200, management.get("q/health/started").statusCode());
        assertEquals(404, app.get("q/health/ready").statusCode(), "no probe on the app port");

        HttpResponse<String> hello = app.get("");
        assertEquals("Hello World", hello.body());
        String counter = "api/v1/counters/" + Unique.name("image");
        app.post(counter + "/increment", "{}");
        assertEquals(200, app.post(counter + "/increment", "{\"by\": 41}").statusCode());
        assertTrue(app.get(counter).body().contains("\"value\":42"), "the increments reached the Redis container");
    }

    @Test
    @Order(2)
    void runsAsTheNonRootUser185AndDockersHealthcheckPasses() {
        assertEquals("185:185", docker("inspect", "-f", "{{.Config.User}}", APP));
        assertEquals("185", docker("exec", APP, "id", "-u"));
        String status = docker("exec", APP, "cat", "/proc/1/status");
        assertTrue(status.contains("\nUid:\t185\t185\t185\t185"), "java (PID 1) runs as 185:\n" + status);
        assertTrue(docker("exec", APP, "cat", "/proc/1/cmdline").startsWith("java"), "java is PID 1");

        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        String health;
        while (!(health = docker("inspect", "-f", "{{.State.Health.Status}}", APP)).equals("healthy")) {
            assertTrue(Instant.now().isBefore(deadline), "HEALTHCHECK still " + health);
            Pause.of(Duration.ofSeconds(1));
        }
    }

    @Test
    @Order(3)
    void sigtermDrainsAndExitsCleanlyWithinTheGracePeriod() {
        Properties properties = applicationProperties();
        Duration drain = duration(properties.getProperty("quarkus.shutdown.delay"));
        Instant started = Instant.now();
        docker("stop", "-t", Long.toString(GRACE.toSeconds()), APP);
        Duration took = Duration.between(started, Instant.now());
        System.out.printf("docker stop (SIGTERM): %d ms%n", took.toMillis());

        int exit = Integer.parseInt(docker("inspect", "-f", "{{.State.ExitCode}}", APP));
        // 143 = 128 + SIGTERM: the JVM's exit status after its shutdown hooks ran; 137 would mean SIGKILL.
        assertTrue(Set.of(0, 143).contains(exit), "exit code " + exit);
        assertTrue(took.compareTo(GRACE) < 0, "stopped in " + took + ", not within the grace period " + GRACE);
        assertTrue(took.compareTo(drain) >= 0, "stopped in " + took + ": before the shutdown delay " + drain);
        Docker.Output output = Docker.run(Docker.COMMAND_TIMEOUT, Map.of(), "docker", "logs", APP).ok();
        String logs = output.stdout() + output.stderr();
        assertTrue(logs.contains("Draining: readiness is DOWN"), "drain logged:\n" + logs);
        assertTrue(logs.contains("tally stopped in"), "Quarkus' orderly stop logged:\n" + logs);
    }

    private static void awaitStatus(Http http, String path, int status, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                if (http.get(path).statusCode() == status) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            assertTrue(Instant.now().isBefore(deadline), path + " did not answer " + status + " within " + timeout);
            Pause.of(Duration.ofMillis(500));
        }
    }
}
