package dev.tally.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.redis.Keys;
import dev.tally.redis.LuaScript;
import dev.tally.redis.RedisGateway;
import dev.tally.runtime.InstanceId;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The cluster view lists this replica and any other that publishes, and forgets one that stops publishing once
 * its snapshot's TTL passes; the console's event stream carries the same view.
 */
@QuarkusTest
class ClusterViewTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    RedisGateway redis;

    @Inject
    Keys keys;

    @Inject
    InstanceId instance;

    @Test
    void aReplicaThatStopsPublishingDropsOutAfterItsTtl() throws Exception {
        Http ops = Http.at(management.toURI()).withBearer(OpsToken.ofTestApplication());
        String other = Unique.name("other-replica");
        // Another replica, as the publish script would see it, with a 1.5 s TTL and then silence.
        redis.script(LuaScript.load("replica_publish"), List.of(keys.replicaIndex(), keys.replicaSnapshot(other)),
                List.of(other, "{\"instance\":\"" + other + "\",\"inFlight\":7}", "1500"))
                .await().atMost(Duration.ofSeconds(5));

        List<String> listed = instances(ops);
        assertTrue(listed.contains(other), listed.toString());
        assertTrue(listed.contains(instance.value()), "this replica publishes itself: " + listed);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (instances(ops).contains(other)) {
            assertTrue(System.nanoTime() < deadline, other + " still listed 10 s after it stopped publishing");
            Pause.of(Duration.ofMillis(100));
        }
        assertTrue(instances(ops).contains(instance.value()), "the live replica stays listed");
    }

    @Test
    void theConsoleAndItsEventStreamAreOnTheManagementInterface() throws Exception {
        Http ops = Http.at(management.toURI()).withBearer(OpsToken.ofTestApplication());
        HttpResponse<String> page = ops.get("/ops/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"/ops/console.js\""), "the console's script is a file");
        assertTrue(ops.get("/ops/console.js").body().contains("opsFetch(\"/ops/events\""),
                "the console is live over SSE, read with the token");

        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(
                ops.request("/ops/events").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse(""));
        try (BufferedReader events = new BufferedReader(
                new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String line = events.readLine();
            assertTrue(line.startsWith("data: "), line);
            JsonNode event = JSON.readTree(line.substring("data: ".length()));
            assertEquals(instance.value(), event.path("self").path("instance").asText());
            assertTrue(event.path("self").has("redisPool"), event.toString());
            assertTrue(event.path("cluster").isArray(), event.toString());
        }
    }

    private static List<String> instances(Http ops) throws Exception {
        HttpResponse<String> response = ops.get("/ops/cluster");
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("replicas").findValuesAsText("instance");
    }
}
