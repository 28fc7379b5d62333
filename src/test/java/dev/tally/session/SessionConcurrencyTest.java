package dev.tally.session;

import static dev.tally.session.Sessions.attributeCount;
import static dev.tally.session.Sessions.create;
import static dev.tally.session.Sessions.read;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Concurrently;
import dev.tally.testsupport.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Visits and the attribute limit hold under concurrent requests on one session. */
@QuarkusTest
class SessionConcurrencyTest {

    @TestHTTPResource("/")
    URI app;

    @Test
    void twoHundredConcurrentVisitsCountExactly() {
        String id = create(null);
        Http http = Http.at(app);

        List<HttpResponse<String>> replies = Concurrently.run(200, 200, Duration.ofSeconds(120),
                i -> http.send(http.request("/api/v1/sessions/current/visits")
                        .header("Cookie", Sessions.COOKIE + "=" + id)
                        .POST(HttpRequest.BodyPublishers.noBody())));

        Set<Long> counts = replies.stream().map(reply -> {
            assertEquals(200, reply.statusCode(), reply.body());
            return JsonPath.from(reply.body()).getLong("visits");
        }).collect(Collectors.toSet());
        // Each visit saw its own count: exactly 1..200.
        assertEquals(LongStream.rangeClosed(1, 200).boxed().collect(Collectors.toSet()), counts);
        read(id).then().statusCode(200).body("visits", equalTo(200));
    }

    @Test
    void concurrentPatchesNeverPushASessionPastTheAttributeLimit() {
        String id = create(Sessions.attributes("a", 0, 60));
        Http http = Http.at(app);

        // 20 patches each add one new attribute to a session with room for 4.
        List<HttpResponse<String>> replies = Concurrently.run(20, 20, Duration.ofSeconds(120),
                i -> http.send(http.request("/api/v1/sessions/current")
                        .header("Cookie", Sessions.COOKIE + "=" + id)
                        .header("Content-Type", Sessions.MERGE_PATCH)
                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"new" + i + "\":" + i + "}"))));

        Map<Integer, Long> statuses = new TreeMap<>(replies.stream()
                .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting())));
        assertEquals(Map.of(200, 4L, 422, 16L), statuses);
        assertEquals(64, attributeCount(id));
    }
}
