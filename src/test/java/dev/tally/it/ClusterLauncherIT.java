package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Hammer;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.Ports;
import dev.tally.testsupport.RedisCli;
import dev.tally.testsupport.RetryingClient;

/**
 * The README's run command in cluster mode ({@code TALLY_REDIS_MODE=cluster}): the launcher starts a real 3+3 Redis
 * Cluster and two Tally replicas on it, and every feature the issue names for a Cluster works end to end through
 * both replicas: exact totals under 256 clients over counters on every master, a listing that sees every counter
 * exactly once, a live feed that ends on the true value, and jobs that all succeed.
 */
class ClusterLauncherIT {

    private static final int NODES = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalLauncher launcher;
    private static int app;
    private static int redisBase;
    private final Http http = new Http();

    @BeforeAll
    static void startOnACluster() {
        app = Ports.freeRange(2);
        int management = Ports.freeRange(2);
        redisBase = Ports.freeRangeWithClusterBus(NODES);
        launcher = LocalLauncher.start(Map.of("TALLY_REDIS_MODE", "cluster", "TALLY_REPLICAS", "2",
                "TALLY_NGINX", "off", "TALLY_PORT", Integer.toString(app),
                "TALLY_MANAGEMENT_PORT", Integer.toString(management), "TALLY_REDIS_PORT", Integer.toString(redisBase)));
        launcher.awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        LocalLauncher.stopCleanly(launcher, Duration.ofSeconds(60));
        // Every node stopped with the launcher, by its pid.
        for (int port = redisBase; port < redisBase + NODES; port++) {
            assertFalse(RedisCli.onPort(port).run("PING").equals("PONG"), "Redis node on " + port + " still answers");
        }
    }

    private static String replica(int i, String path) {
        return "http://127.0.0.1:" + (app + i % 2) + path;
    }

    @Test
    void theLauncherStartedThreeMastersWithAReplicaEachAndSaysSo() {
        String info = RedisCli.onPort(redisBase).run("CLUSTER", "INFO");
        assertTrue(info.contains("cluster_state:ok") && info.contains("cluster_size:3")
                && info.contains("cluster_known_nodes:6"), info);
        assertEquals(3, masters().size(), "three masters");
        String output = launcher.output();
        assertTrue(output.contains("Redis Cluster, 3 masters + 3 replicas"), output);
        assertEquals(3, output.lines().filter(line -> line.matches(".* node \\d \\(pid \\d+\\) .* replica, bus .*"))
                .count(), output);
    }

    @Test
    void fiftyThousandIncrementsFrom256ClientsOver64CountersOnEveryMasterGiveExactTotalsAndTheLiveFeedEndsOnIt()
            throws Exception {
        String run = "it-cl-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        int counters = 64;
        int requests = 50_000;
        List<String> names = IntStream.range(0, counters).mapToObj(i -> run + i).toList();
        String watched = names.getFirst();
        long watchedTotal = IntStream.range(0, requests).filter(i -> i % counters == 0).count();

        RetryingClient client = new RetryingClient(10);
        Hammer.Result result;
        try (LiveSocket live = LiveSocket.open("ws://127.0.0.1:" + (app + 1) + "/api/v1/counters/" + watched
                + "/live", watched, null)) {
            // A key per increment, sent again on a 503 (RetryingClient): the totals stay exact, so a lost or a
            // doubled write fails. Even requests go to replica 1, odd ones to replica 2.
            result = Hammer.run(requests, 256, Duration.ofMinutes(2), i -> client.send(() -> http.post(
                    replica(i, "/api/v1/counters/" + names.get(i % counters) + "/increment"), null,
                    "Idempotency-Key", run + i)));
            live.awaitLast(watchedTotal, Duration.ofSeconds(15));
        }

        assertEquals(Map.of(200, (long) requests), result.statuses(),
                "every increment answered 200: " + result + ", retried " + client.retries());
        for (int c = 0; c < counters; c++) {
            int index = c;
            long expected = IntStream.range(0, requests).filter(i -> i % counters == index).count();
            String body = http.get(replica(c + 1, "/api/v1/counters/" + names.get(c))).body();
            assertEquals(expected, JSON.readTree(body).path("value").asLong(), names.get(c) + ": " + body);
        }
        Map<String, Integer> perMaster = keysPerMaster(run);
        assertEquals(3, perMaster.size(), "the counters' slots are on every master: " + perMaster);
        assertEquals(counters, perMaster.values().stream().mapToInt(Integer::intValue).sum(), perMaster.toString());
        System.out.printf("cluster: 50,000 increments, 256 clients, 2 replicas, 64 counters %s: %d ms (%.0f/s), "
                + "retried %s%n", perMaster, result.elapsed().toMillis(),
                requests * 1000.0 / result.elapsed().toMillis(), client.retries());
    }

    @Test
    void aThousandCountersOnEveryMasterAreListedExactlyOnceAcrossAllPages() throws Exception {
        String prefix = "it-cl-list-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        int counters = 1000;
        RetryingClient client = new RetryingClient(10);
        Hammer.Result made = Hammer.run(counters, 128, Duration.ofMinutes(1), i -> client.send(() ->
                http.post(replica(i, "/api/v1/counters/" + prefix + i + "/increment"), null,
                        "Idempotency-Key", "make-" + i)));
        assertEquals(Map.of(200, (long) counters), made.statuses(), made.toString());

        Map<String, Integer> seen = new TreeMap<>();
        String cursor = null;
        int pages = 0;
        do {
            String query = "/api/v1/counters?prefix=" + prefix + "&limit=100" + (cursor == null ? "" : "&cursor=" + cursor);
            HttpResponse<String> page = http.get(replica(pages, query)); // pages alternate between the replicas
            assertEquals(200, page.statusCode(), page.body());
            JsonNode body = JSON.readTree(page.body());
            body.path("items").forEach(item -> seen.merge(item.path("name").asText(), 1, Integer::sum));
            cursor = body.path("next").isNull() ? null : body.path("next").asText();
            pages++;
            assertTrue(pages < 1000, "the listing never ends");
        } while (cursor != null);

        Map<String, Integer> twice = new HashMap<>(seen);
        twice.values().removeIf(n -> n == 1);
        assertEquals(Map.of(), twice, "counters listed more than once");
        Set<String> expected = new TreeSet<>();
        IntStream.range(0, counters).forEach(i -> expected.add(prefix + i));
        assertEquals(expected, seen.keySet(), "every counter listed, nothing else");
        assertEquals(3, keysPerMaster(prefix).size(), "the counters are on every master");
    }

    @Test
    void aThousandJobsSubmittedThroughBothReplicasAllSucceed() throws Exception {
        int jobs = 1000;
        Set<String> ids = ConcurrentHashMap.newKeySet();
        RetryingClient client = new RetryingClient(10);
        Hammer.Result submitted = Hammer.run(jobs, 16, Duration.ofMinutes(1), i -> {
            HttpResponse<String> response = client.send(() -> http.post(replica(i, "/api/v1/jobs"),
                    "{\"type\":\"noop\",\"payload\":{}}"));
            if (response.statusCode() == 202) {
                ids.add(read(response.body()).path("id").asText());
            }
            return response;
        });
        assertEquals(Map.of(202, (long) jobs), submitted.statuses(), "every submit accepted: " + submitted);
        assertEquals(jobs, ids.size(), "one id per job");

        List<String> unfinished = new ArrayList<>(ids);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int i = 0;
        while (!unfinished.isEmpty()) {
            String id = unfinished.getLast();
            JsonNode job = read(http.get(replica(i++, "/api/v1/jobs/" + id)).body());
            String status = job.path("status").asText();
            assertFalse(Set.of("failed", "dead", "cancelled").contains(status), "job " + id + ": " + job);
            if ("succeeded".equals(status)) {
                unfinished.removeLast();
            } else {
                assertTrue(System.nanoTime() < deadline, unfinished.size() + " jobs unfinished after 60 s: " + job);
                Pause.of(Duration.ofMillis(50));
            }
        }
        // The launcher puts the queue in one shard per master (TALLY_JOB_SHARDS=3); a job id names its shard
        // ("<id>.<count>.<index>"), so the spread is read from the ids.
        Map<String, Long> perShard = new TreeMap<>();
        ids.forEach(id -> perShard.merge(id.substring(id.indexOf('.') + 1), 1L, Long::sum));
        assertEquals(Set.of("3.0", "3.1", "3.2"), perShard.keySet(), "jobs on every shard: " + perShard);
    }

    /** The running masters' ports, from the first node's CLUSTER NODES. */
    private static List<Integer> masters() {
        return RedisCli.onPort(redisBase).run("CLUSTER", "NODES").lines()
                .map(line -> line.split(" "))
                .filter(fields -> fields[2].contains("master") && !fields[2].contains("fail"))
                .map(fields -> Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@'))))
                .toList();
    }

    /** For each master that holds any, how many counter value keys whose names start with {@code namePrefix}. */
    private static Map<String, Integer> keysPerMaster(String namePrefix) {
        Map<String, Integer> perMaster = new TreeMap<>();
        for (int master : masters()) {
            long keys = RedisCli.onPort(master).run("--scan", "--pattern", "tally:{c:" + namePrefix + "*}:value")
                    .lines().filter(line -> !line.isBlank()).count();
            if (keys > 0) {
                perMaster.put("127.0.0.1:" + master, (int) keys);
            }
        }
        return perMaster;
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
