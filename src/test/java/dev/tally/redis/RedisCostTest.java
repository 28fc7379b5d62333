package dev.tally.redis;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Unique;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.redis.client.Response;

/**
 * What the most expensive request each route allows costs Redis, measured by Redis itself: the slow log with a
 * threshold of 0 records every command with its execution time (µs); a request's cost is the sum over the
 * commands that name its keys. Each is at its configured bounds (64 attributes of 4 KiB, a page of 1,000 counters
 * on a keyspace of 20,000 keys, a 64 KiB job payload). Issue 19's aim is a few milliseconds at most; the budget
 * here leaves room for a loaded 2-core machine. The figures are printed for docs/operations.md.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisCostTest {

    private static final long BUDGET_MICROS = 5_000;
    private static final int RUNS = 5;
    private static final String SCRIPT_CLIENT = "?:0";
    private static final int FILLER_KEYS = 20_000;
    private static final String BIG_VALUE = "\"" + "v".repeat(4094) + "\""; // 4096 bytes of JSON: the largest

    @Inject
    RedisDataSource redis;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private final String filler = Unique.name("cost-filler");
    private final Map<String, Long> measured = new TreeMap<>();
    private String slowerThan;
    private String maxLength;

    @BeforeAll
    void logEveryCommand() {
        slowerThan = config("slowlog-log-slower-than");
        maxLength = config("slowlog-max-len");
        redis.execute("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "100000");
        List<String> mset = new ArrayList<>(List.of("MSET"));
        for (int i = 0; i < FILLER_KEYS; i++) {
            mset.add(filler + ":" + i);
            mset.add("x");
            if (mset.size() > 2_000 || i == FILLER_KEYS - 1) {
                redis.execute(mset.get(0), mset.subList(1, mset.size()).toArray(String[]::new));
                mset = new ArrayList<>(List.of("MSET"));
            }
        }
    }

    @AfterAll
    void restore() {
        redis.execute("CONFIG", "SET", "slowlog-log-slower-than", slowerThan, "slowlog-max-len", maxLength);
        redis.execute("SLOWLOG", "RESET");
        Response cursor;
        String at = "0";
        do {
            cursor = redis.execute("SCAN", at, "MATCH", filler + ":*", "COUNT", "5000");
            at = cursor.get(0).toString();
            List<String> found = new ArrayList<>();
            cursor.get(1).forEach(key -> found.add(key.toString()));
            if (!found.isEmpty()) {
                redis.execute("UNLINK", found.toArray(String[]::new));
            }
        } while (!"0".equals(at));
        System.out.println("Redis time per request (µs), worst allowed input: " + measured);
    }

    private String config(String name) {
        return redis.execute("CONFIG", "GET", name).get(name).toString(); // RESP3: a map
    }

    /**
     * Runs a request {@value #RUNS} times and returns the least Redis time of a run: the sum over the logged
     * commands whose arguments contain {@code marker}. The least, because the machine's load stretches a command's
     * wall-clock time, never shrinks it. Commands a script runs are logged too (client {@code ?:0}) but are part
     * of the script's own time, so they are skipped.
     */
    private long cost(String label, String marker, Runnable request) {
        long least = Long.MAX_VALUE;
        long commands = 0;
        for (int run = 0; run < RUNS; run++) {
            redis.execute("SLOWLOG", "RESET");
            request.run();
            long micros = 0;
            commands = 0;
            for (Response entry : redis.execute("SLOWLOG", "GET", "-1")) {
                boolean ours = false;
                for (Response argument : entry.get(3)) {
                    ours |= argument.toString().contains(marker);
                }
                if (ours && !SCRIPT_CLIENT.equals(entry.get(4).toString())) {
                    micros += entry.get(2).toLong();
                    commands++;
                }
            }
            assertTrue(commands > 0, label + ": no command of this request was logged, so nothing was measured");
            least = Math.min(least, micros);
        }
        measured.put(label, least);
        System.out.printf("Redis cost of %s: %d µs (least of %d runs) in %d commands%n", label, least, RUNS,
                commands);
        assertTrue(least <= BUDGET_MICROS, label + " cost Redis " + least + " µs");
        return least;
    }

    private static String attributes(String prefix, Supplier<String> value) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 64; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(prefix).append(i).append("\":").append(value.get());
        }
        return json.append('}').toString();
    }

    @Test
    void sessionsAtTheirBounds() {
        String[] id = new String[1];
        cost("session create, 64 x 4 KiB", "{s:", () -> id[0] = given().contentType(ContentType.JSON)
                .body(attributes("a", () -> BIG_VALUE)).post("/api/v1/sessions")
                .then().statusCode(201).extract().cookie("__Host-TALLY_SESSION"));
        cost("session read, 64 x 4 KiB", id[0], () -> given().cookie("__Host-TALLY_SESSION", id[0])
                .get("/api/v1/sessions/current").then().statusCode(200));
        // The largest patch: every attribute deleted, 64 new ones of 4 KiB set (128 fields).
        String replaceAll = attributes("a", () -> "null").replace("}", ",")
                + attributes("b", () -> BIG_VALUE).substring(1);
        cost("session patch, 128 fields", id[0], () -> given().cookie("__Host-TALLY_SESSION", id[0])
                .contentType("application/merge-patch+json").body(replaceAll)
                .patch("/api/v1/sessions/current").then().statusCode(200));
        cost("session visit", id[0], () -> given().cookie("__Host-TALLY_SESSION", id[0])
                .post("/api/v1/sessions/current/visits").then().statusCode(200));
    }

    @Test
    void countersAtTheirBounds() {
        String prefix = Unique.name("cost-page") + "-";
        List<String> mset = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            mset.add("tally:{c:" + prefix + i + "}:value");
            mset.add(Integer.toString(i));
        }
        redis.execute("MSET", mset.toArray(String[]::new));
        try {
            cost("counter listing, full page of 1000", prefix, () -> given().queryParam("prefix", prefix)
                    .queryParam("limit", 1000).get("/api/v1/counters").then().statusCode(200));
            String none = Unique.name("cost-none");
            cost("counter listing, no match on " + FILLER_KEYS + "+ keys", none, () -> given()
                    .queryParam("prefix", none).queryParam("limit", 1000).get("/api/v1/counters")
                    .then().statusCode(200));
            String name = prefix + "x".repeat(200 - prefix.length() - 1);
            cost("counter increment with the longest name and key, then reset", prefix, () -> {
                String key = UUID.randomUUID() + "k".repeat(255 - 36);
                given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"by\":1}")
                        .post("/api/v1/counters/{name}/increment", name).then().statusCode(200);
                given().delete("/api/v1/counters/{name}", name).then().statusCode(204);
            });
        } finally {
            for (int i = 0; i < mset.size(); i += 2) {
                redis.execute("DEL", mset.get(i));
            }
        }
    }

    /** A full page of dead letters (limit=1000) on the management port, each with a 200-character error. */
    @Test
    void deadLettersAtTheirBounds() {
        String dead = "tally:{jobs}:dead";
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            added.add(redis.execute("XADD", dead, "*", "id", "c".repeat(22), "type", "sleep", "error",
                    "e".repeat(200), "attempts", "5").toString());
        }
        try {
            cost("dead-letter listing, limit=1000", "{jobs}:dead", () -> given()
                    .header("Authorization", OpsToken.bearer(OpsToken.ofTestApplication())).get(URI.create(management.toString()).resolve("/ops/jobs/dead?limit=1000"))
                    .then().statusCode(200));
        } finally {
            added.add(0, dead);
            redis.execute("XDEL", added.toArray(String[]::new));
        }
    }

    @Test
    void jobsAtTheirBounds() {
        // 65,536 bytes of compact JSON (tally.job.max-payload-bytes): 26 bytes around the text.
        String payload = "{\"text\":\"" + "p".repeat(65_536 - 26) + "\",\"iterations\":1}";
        String[] location = new String[1];
        cost("job submit, 64 KiB payload", "p".repeat(64), () -> location[0] = given()
                .contentType(ContentType.JSON).body("{\"type\":\"digest\",\"payload\":" + payload + "}")
                .post("/api/v1/jobs").then().statusCode(202).extract().header("Location"));
        String id = location[0].substring(location[0].lastIndexOf('/') + 1);
        cost("job read, 64 KiB payload", id, () -> given().get(location[0]).then().statusCode(200));
    }
}
