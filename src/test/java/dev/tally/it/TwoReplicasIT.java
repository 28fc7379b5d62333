package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Hammer;
import dev.tally.testsupport.Closing;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisProvisioner;
import dev.tally.testsupport.ReplicaProcess;
import dev.tally.testsupport.RetryingClient;

/** Two real replica processes sharing one real Redis behave as one service. */
class TwoReplicasIT {

    private static RealRedis redis;
    private static ReplicaProcess a;
    private static ReplicaProcess b;
    private final Http http = new Http();

    @BeforeAll
    static void startStack() {
        redis = RedisProvisioner.provide();
        a = ReplicaProcess.start("it-a", redis.url());
        b = ReplicaProcess.start("it-b", redis.url());
    }

    @AfterAll
    static void stopStack() {
        Closing.all(a, b, redis);
    }

    private ReplicaProcess either(int i) {
        return i % 2 == 0 ? a : b;
    }

    @Test
    void fiftyThousandIncrementsFrom256ClientsOverTwoReplicasGiveTheExactTotal() {
        String counter = "/api/v1/counters/it-total-" + UUID.randomUUID();
        int requests = 50_000;

        // Clients as the README tells them to be: a key per increment, sent again on a 503 (the design allows those
        // when 256 clients overload a 2-core machine), so the total stays exact and a lost or doubled update fails.
        RetryingClient client = new RetryingClient(10);
        Hammer.Result result = Hammer.run(requests, 256, Duration.ofMinutes(4), i -> client.send(
                () -> http.post(either(i).url(counter + "/increment"), null, "Idempotency-Key", "total-" + i)));

        assertEquals(Map.of(200, (long) requests), result.statuses(),
                "every increment answered 200: " + result + ", retried " + client.retries());
        assertEquals(0, result.noAnswer(), "requests without an answer");
        String expected = "\"value\":" + requests;
        assertTrue(http.get(a.url(counter)).body().contains(expected), "replica a sees the exact total");
        assertTrue(http.get(b.url(counter)).body().contains(expected), "replica b sees the exact total");
        System.out.printf("50,000 increments, 256 clients, 2 replicas: %d ms (%.0f/s), retried %s%n",
                result.elapsed().toMillis(), requests * 1000.0 / result.elapsed().toMillis(), client.retries());
    }

    @Test
    void oneIdempotencyKeySentToBothReplicasAtOnceCountsOnce() {
        String counter = "/api/v1/counters/it-idem-" + UUID.randomUUID();
        Set<String> bodies = ConcurrentHashMap.newKeySet();

        RetryingClient client = new RetryingClient(10);
        Hammer.Result result = Hammer.run(100, 100, Duration.ofMinutes(1), i -> {
            HttpResponse<String> response = client.send(() -> http.post(either(i).url(counter + "/increment"),
                    "{\"by\":7}", "Idempotency-Key", "same-key"));
            bodies.add(response.body());
            return response;
        });

        assertEquals(Map.of(200, 100L), result.statuses(), "retried " + client.retries());
        assertEquals(Set.of("{\"name\":\"" + counter.substring(counter.lastIndexOf('/') + 1) + "\",\"value\":7}"),
                bodies, "every reply carries the one result");
        assertTrue(http.get(b.url(counter)).body().contains("\"value\":7"));
    }

    @Test
    void aSessionCreatedOnOneReplicaIsReadAndChangedOnTheOther() {
        HttpResponse<String> created = http.post(a.url("/api/v1/sessions"), "{\"user\":\"ann\"}");
        assertEquals(201, created.statusCode());
        String setCookie = created.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        HttpResponse<String> readOnB = http.get(b.url("/api/v1/sessions/current"), "Cookie", cookie);
        assertEquals(200, readOnB.statusCode());
        assertTrue(readOnB.body().contains("\"user\":\"ann\""), readOnB.body());

        assertEquals(200, http.patch(b.url("/api/v1/sessions/current"), "{\"theme\":\"dark\",\"user\":null}",
                "Cookie", cookie).statusCode());
        assertEquals(200, http.post(a.url("/api/v1/sessions/current/visits"), null, "Cookie", cookie).statusCode());
        assertEquals(200, http.post(b.url("/api/v1/sessions/current/visits"), null, "Cookie", cookie).statusCode());

        String onA = http.get(a.url("/api/v1/sessions/current"), "Cookie", cookie).body();
        assertTrue(onA.contains("\"attributes\":{\"theme\":\"dark\"}"), onA);
        assertTrue(onA.contains("\"visits\":2"), onA);

        assertEquals(204, http.delete(b.url("/api/v1/sessions/current"), "Cookie", cookie).statusCode());
        assertEquals(404, http.get(a.url("/api/v1/sessions/current"), "Cookie", cookie).statusCode());
    }

    /** The packaged jar (production profile) ships Swagger UI, on the management port only. */
    @Test
    void theApiIsBrowsableOnTheManagementPortOnly() {
        HttpResponse<String> ui = http.get(a.managementUrl("/q/swagger-ui/"));
        assertEquals(200, ui.statusCode());
        assertTrue(ui.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), ui.headers().toString());
        assertTrue(ui.body().contains("swagger-ui"), ui.body());
        assertEquals(404, http.get(a.url("/q/swagger-ui/")).statusCode(), "never on the app port");
    }

    @Test
    void eachReplicaNamesItselfInEveryResponse() {
        assertEquals("it-a", http.get(a.url("/")).headers().firstValue("X-Tally-Instance").orElseThrow());
        assertEquals("it-b", http.get(b.url("/")).headers().firstValue("X-Tally-Instance").orElseThrow());
    }
}
