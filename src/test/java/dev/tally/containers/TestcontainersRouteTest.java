package dev.tally.containers;

import static dev.tally.testsupport.Docker.docker;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ContainersRoute;
import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisPing;
import dev.tally.testsupport.RedisProvisioner;
import dev.tally.testsupport.RunsOnContainers;
import dev.tally.testsupport.Unique;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The Testcontainers route, proven: under {@link ContainersRoute} (the profile the {@code *OnContainersTest}
 * classes run the real-Redis suite with) the application's Redis is a container of the {@code redis:7} image, and
 * what the application writes lands in that container. A control shows the same checks reject a redis-server binary.
 */
@RunsOnContainers
@QuarkusTest
@TestProfile(ContainersRoute.class)
class TestcontainersRouteTest {

    @ConfigProperty(name = "quarkus.redis.hosts")
    String redisHosts;

    @Test
    void theApplicationsRedisIsAContainerOfTheRedisImage() {
        URI redis = URI.create(redisHosts);
        assertEquals("redis:7", containerPublishing(redis.getPort()),
                "a container of redis:7 publishes the port the application uses (" + redisHosts + ")");
        // PID 1: redis-server is the first process of its own PID namespace, as only a container makes it.
        assertEquals("1", RedisPing.info(redis.getHost(), redis.getPort(), "server").get("process_id"));

        String name = Unique.name("container-route");
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/counters/{name}/increment", name)
                .then().statusCode(200);
        String id = docker("ps", "-q", "--filter", "publish=" + redis.getPort());
        String keys = docker("exec", id, "redis-cli", "--scan", "--pattern", "*" + name + "*");
        assertTrue(keys.contains(name), "the increment is stored inside the container: " + keys);
    }

    @Test
    void controlARedisServerBinaryIsRecognisedAsNotAContainer() {
        try (RealRedis binary = RedisProvisioner.route("binaries")) {
            URI redis = URI.create(binary.url());
            assertEquals("", containerPublishing(redis.getPort()), "no container publishes " + binary.url());
            assertNotEquals("1", RedisPing.info(redis.getHost(), redis.getPort(), "server").get("process_id"));
        }
    }

    private static String containerPublishing(int port) {
        List<String> images = docker("ps", "--filter", "publish=" + port, "--format", "{{.Image}}").lines().toList();
        return String.join(",", images);
    }
}
