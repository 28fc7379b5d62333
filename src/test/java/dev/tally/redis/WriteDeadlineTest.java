package dev.tally.redis;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Await;
import dev.tally.testsupport.Http;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A write answered 503 for want of an answer in time is not made later ({@link WriteDeadline}). Redis holds every
 * write back ({@code CLIENT PAUSE ... WRITE}) for longer than the command budget (1.5 s) plus the clock tolerance
 * (250 ms): a session patch sent meanwhile is answered 503; when Redis goes on, it runs the patch's script, which
 * finds its deadline passed and refuses ({@code LATE}, counted in Redis' own {@code INFO errorstats}, which is how
 * the test knows the script has run), and the session keeps its old value. Without the deadline, the patch landed
 * then, after its client had been told it failed.
 */
@QuarkusTest
class WriteDeadlineTest {

    private static final String CURRENT = "/api/v1/sessions/current";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI app;

    @Inject
    RedisDataSource redis;

    @AfterEach
    void unpause() {
        redis.execute("CLIENT", "UNPAUSE");
    }

    @Test
    void aSessionPatchAnswered503IsNotMadeWhenRedisGoesOn() throws Exception {
        Http http = Http.at(app);
        HttpResponse<String> created = http.post("/api/v1/sessions", "{\"cart\": \"old\"}");
        assertEquals(201, created.statusCode(), created.body());
        String cookie = created.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        // A first patch has Redis load the script: held back, an EVALSHA would meet NOSCRIPT after its caller left.
        HttpResponse<String> first = http.patch(CURRENT, "{\"cart\": \"old\"}", "Cookie", cookie);
        assertEquals(200, first.statusCode(), first.body());
        long lateBefore = lateReplies();

        redis.execute("CLIENT", "PAUSE", "3000", "WRITE");
        HttpResponse<String> patched = http.patch(CURRENT, "{\"cart\": \"new\"}", "Cookie", cookie);
        assertProblem(patched, 503, tally("store-unavailable"));

        // Reads go on under a write pause; the refusal shows that the held-back script has run.
        Await.until(Duration.ofSeconds(10), "the held-back patch's script refused as LATE",
                () -> lateReplies() == lateBefore + 1, () -> "errorstat LATE count " + lateReplies());
        HttpResponse<String> read = http.get(CURRENT, "Cookie", cookie);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("old", JSON.readTree(read.body()).get("attributes").get("cart").asText(), read.body());
    }

    /** How many {@code LATE} error replies Redis has sent since it started ({@code INFO errorstats}). */
    private long lateReplies() {
        String stats = redis.execute("INFO", "errorstats").toString();
        return stats.lines().filter(line -> line.startsWith("errorstat_LATE:count="))
                .mapToLong(line -> Long.parseLong(line.substring("errorstat_LATE:count=".length()).split(",")[0]))
                .findFirst().orElse(0);
    }
}
