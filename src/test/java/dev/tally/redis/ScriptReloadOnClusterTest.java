package dev.tally.redis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ClusterRoute;
import dev.tally.testsupport.RedisCluster;
import dev.tally.testsupport.RedisNode;
import dev.tally.testsupport.Unique;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Each node of a Redis Cluster has its own script cache. After every node's cache is emptied (as after restarts or
 * failovers), a scripted increment of counters on every master still works: the {@code NOSCRIPT} of a node is
 * answered by loading the script on that same node (the fallback {@code EVAL} is routed by the same keys).
 */
@QuarkusTest
@TestProfile(ClusterRoute.class)
class ScriptReloadOnClusterTest {

    @Inject
    Keys keys;

    /** Set by {@link ClusterRoute.Resource}. */
    RedisCluster cluster;

    private static void increment(String name, String key, boolean replayed) {
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"by\": 3}")
                .when().post("/api/v1/counters/{name}/increment", name)
                .then().statusCode(200).header("Idempotent-Replayed", Boolean.toString(replayed))
                .body("value", equalTo(3));
    }

    @Test
    void idempotentIncrementsOnEveryMasterSurviveEveryNodesEmptiedScriptCache() {
        List<String> names = new ArrayList<>();
        Set<RedisNode> masters = new HashSet<>();
        while (masters.size() < RedisCluster.MASTERS) { // counters until every master serves one
            String name = Unique.name("noscript");
            names.add(name);
            masters.add(cluster.masterOf(keys.counterValue(name)));
        }
        names.forEach(name -> increment(name, name, false)); // every master has the script now
        cluster.nodes().stream().filter(RedisNode::isRunning)
                .forEach(node -> assertEquals("OK", node.command("SCRIPT", "FLUSH")));
        names.forEach(name -> increment(name, name, true));
    }
}
