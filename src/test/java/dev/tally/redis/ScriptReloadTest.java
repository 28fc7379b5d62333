package dev.tally.redis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Unique;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Scripts run by SHA-1 and are reloaded when Redis has forgotten them (a restart, a failover, SCRIPT FLUSH):
 * every scripted operation keeps working right after the script cache is emptied.
 */
@QuarkusTest
class ScriptReloadTest {

    @Inject
    RedisDataSource redis;

    @Test
    void idempotentIncrementsSurviveAnEmptiedScriptCache() {
        String name = Unique.name("noscript");
        String key = Unique.name("key");
        redis.execute("SCRIPT", "FLUSH");
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"by\": 4}")
                .when().post("/api/v1/counters/{name}/increment", name)
                .then().statusCode(200).header("Idempotent-Replayed", "false").body("value", equalTo(4));
        redis.execute("SCRIPT", "FLUSH");
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"by\": 4}")
                .when().post("/api/v1/counters/{name}/increment", name)
                .then().statusCode(200).header("Idempotent-Replayed", "true").body("value", equalTo(4));
    }

    @Test
    void everySessionScriptSurvivesAnEmptiedScriptCache() {
        redis.execute("SCRIPT", "FLUSH");
        String id = given().contentType(ContentType.JSON).body("{\"a\":1}").when().post("/api/v1/sessions")
                .then().statusCode(201).extract().cookie("__Host-TALLY_SESSION");
        redis.execute("SCRIPT", "FLUSH");
        given().cookie("__Host-TALLY_SESSION", id).when().get("/api/v1/sessions/current")
                .then().statusCode(200).body("attributes.a", equalTo(1));
        redis.execute("SCRIPT", "FLUSH");
        given().cookie("__Host-TALLY_SESSION", id).contentType("application/merge-patch+json").body("{\"b\":2}")
                .when().patch("/api/v1/sessions/current")
                .then().statusCode(200).body("attributes.b", equalTo(2));
        redis.execute("SCRIPT", "FLUSH");
        given().cookie("__Host-TALLY_SESSION", id).when().post("/api/v1/sessions/current/visits")
                .then().statusCode(200).body("visits", equalTo(1));
    }
}
