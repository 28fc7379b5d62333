package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.testsupport.ApiKeys;
import dev.tally.testsupport.BinaryRedis;
import dev.tally.testsupport.Closing;
import dev.tally.testsupport.Http;
import dev.tally.testsupport.LiveSocket;
import dev.tally.testsupport.OpsToken;
import dev.tally.testsupport.Pause;
import dev.tally.testsupport.RedisCli;
import dev.tally.testsupport.RedisPing;
import dev.tally.testsupport.ReplicaProcess;
import dev.tally.testsupport.Unique;

/**
 * Tally as a Redis ACL user that may touch only its own keys and channels: the rule of
 * {@code deploy/redis/tally-user.acl} (the one docs/security.md tells operators to use), on a real redis-server
 * whose default user has a password, so nothing can fall back to it. The packaged jar logs in as that user the way
 * the Kubernetes Secret configures it (the user in {@code QUARKUS_REDIS_HOSTS}, {@code ?user=tally}, the password
 * in {@code QUARKUS_REDIS_PASSWORD}) and every feature is driven through HTTP. Then Redis' own books decide: no
 * command of Tally's was refused (the {@code ACL LOG} is empty), and every command the rule
 * allows was used ({@code INFO commandstats}), so the rule is exactly what Tally needs. Last, the same user is shown
 * to reach nothing outside the prefix.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisAclIT {

    static final Path RULE = Path.of("deploy/redis/tally-user.acl");
    private static final String USER = "tally";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> SCOPES = List.of("counters:read", "counters:write", "counters:admin",
            "jobs:submit", "jobs:admin", "work");

    private static BinaryRedis redis;
    private static ReplicaProcess replica;
    private static RedisCli admin;
    private static RedisCli tally;
    private static String password;
    private static String[] key;
    private static final Http http = new Http();
    private static final Http ops = new Http().withBearer(ReplicaProcess.opsToken());

    @BeforeAll
    static void startAsTheAclUser() {
        redis = BinaryRedis.dedicated();
        password = OpsToken.generate(); // 32 random bytes as hex, made now: no committed secret
        String adminPassword = OpsToken.generate();
        List<String> setUser = new ArrayList<>(List.of("ACL", "SETUSER", USER, "reset", "on", ">" + password));
        setUser.addAll(rule());
        assertEquals("OK", redis.command(setUser.toArray(String[]::new)));
        assertEquals("OK", redis.command("ACL", "SETUSER", "default", "resetpass", ">" + adminPassword));
        assertTrue(redis.command("GET", "tally:x").startsWith("-NOAUTH"), "the default user needs its password now");
        admin = RedisCli.as(redis.port(), "default", adminPassword);
        tally = RedisCli.as(redis.port(), USER, password);
        assertEquals("OK", admin.run("CONFIG", "RESETSTAT")); // from here on, Redis' accounts are Tally's

        // The user as a parameter: the client reads no user from "redis://tally@host" (only "user:password@").
        replica = ReplicaProcess.start("acl-" + UUID.randomUUID().toString().substring(0, 8),
                "redis://127.0.0.1:" + redis.port() + "?user=" + USER, Map.of(
                        "QUARKUS_REDIS_PASSWORD", password,
                        // Production's anonymous scope, so that writes go through an API key and its quota.
                        "TALLY_AUTH_ANONYMOUS_SCOPES", "counters:read",
                        "TALLY_AUTH_QUOTA_ANONYMOUS_RATE", "3",
                        "TALLY_JOB_MAX_ATTEMPTS", "2",
                        "TALLY_JOB_RETRY_INITIAL_BACKOFF", "200ms",
                        "TALLY_JOB_WORKER_VISIBILITY_TIMEOUT", "3s",
                        "TALLY_JOB_STATS_INTERVAL", "300ms"));
        key = ApiKeys.bearer(keys().create("acl-all", SCOPES, null));
    }

    @AfterAll
    static void stop() {
        Closing.all(replica, redis);
    }

    /** The rule's words, as {@code ACL SETUSER} takes them after the user's name (the file is nothing else). */
    static List<String> rule() {
        try {
            return Arrays.stream(Files.readString(RULE).trim().split("\\s+")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(1)
    void countersTheirListingAndTheLiveFeedWork() {
        String counter = Unique.name("acl");
        try (LiveSocket live = LiveSocket.open(replica.url("/api/v1/counters/" + counter + "/live")
                .replaceFirst("^http", "ws"), counter, null)) {
            live.awaitLast(0, WAIT);
            assertValue(counter, 2, http.post(counterUrl(counter) + "/increment", "{\"by\":2}", key));
            live.awaitLast(2, WAIT); // published by the increment's script, fanned out by the subscription
            String[] once = concat(key, "Idempotency-Key", "acl-once");
            assertValue(counter, 7, http.post(counterUrl(counter) + "/increment", "{\"by\":5}", once));
            assertValue(counter, 7, http.post(counterUrl(counter) + "/increment", "{\"by\":5}", once));
                assertValue(counter, 7, http.get(counterUrl(counter), key));
        }
        HttpResponse<String> listing = http.get(replica.url("/api/v1/counters?prefix=" + counter), key);
        assertEquals(200, listing.statusCode(), listing.body());
        assertTrue(listing.body().contains("\"" + counter + "\""), listing.body());
        HttpResponse<String> reset = http.delete(counterUrl(counter), key);
        assertTrue(reset.statusCode() / 100 == 2, reset.statusCode() + " " + reset.body());
        assertValue(counter, 0, http.get(counterUrl(counter), key));
    }

    @Test
    @Order(2)
    void sessionsWork() {
        // Sessions are open to anyone; the key only keeps these calls off the anonymous quota of theQuotaCountsInRedis.
        HttpResponse<String> created = http.post(replica.url("/api/v1/sessions"), null, key);
        assertEquals(201, created.statusCode(), created.body());
        String setCookie = created.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String current = replica.url("/api/v1/sessions/current");
        String[] holder = concat(key, "Cookie", cookie);
        HttpResponse<String> patched = http.patch(current, "{\"colour\":\"teal\"}", holder);
        assertEquals(200, patched.statusCode(), patched.body());
        HttpResponse<String> visit = http.post(current + "/visits", null, holder);
        assertEquals(200, visit.statusCode(), visit.body());
        HttpResponse<String> read = http.get(current, holder);
        assertEquals(200, read.statusCode(), read.body());
        assertTrue(read.body().contains("teal"), read.body());
        assertTrue(http.delete(current, holder).statusCode() / 100 == 2);
        assertEquals(404, http.get(current, holder).statusCode());
    }

    @Test
    @Order(3)
    void jobsRunRetryDieAreRedrivenAndCancelled() {
        // Long enough (visibility timeout 3 s) to have its claim renewed while it runs.
        assertEquals(1, await(submit("{\"ms\":2500}"), "succeeded").path("attempts").asInt());
        assertEquals(2, await(submit("{\"ms\":1,\"failAttempts\":1}"), "succeeded").path("attempts").asInt());
        await(submit("{\"ms\":1,\"failAttempts\":1,\"permanent\":true}"), "failed");

        String doomed = submit("{\"ms\":1,\"failAttempts\":2}"); // both of its attempts (TALLY_JOB_MAX_ATTEMPTS)
        await(doomed, "dead");
        HttpResponse<String> dead = ops.get(replica.managementUrl("/ops/jobs/dead"));
        assertEquals(200, dead.statusCode(), dead.body());
        assertTrue(dead.body().contains(doomed), dead.body());
        HttpResponse<String> redriven = ops.post(replica.managementUrl("/ops/jobs/dead/" + doomed + "/redrive"), null);
        assertEquals(202, redriven.statusCode(), redriven.body());
        await(doomed, "succeeded"); // its third attempt, past failAttempts

        String sleeper = submit("{\"ms\":30000}");
        await(sleeper, "running");
        HttpResponse<String> cancel = http.delete(replica.url("/api/v1/jobs/" + sleeper), key);
        assertTrue(cancel.statusCode() / 100 == 2, cancel.statusCode() + " " + cancel.body());
        await(sleeper, "cancelled");
    }

    @Test
    @Order(4)
    void theClusterViewAndKeyManagementWork() {
        HttpResponse<String> cluster = ops.get(replica.managementUrl("/ops/cluster"));
        assertEquals(200, cluster.statusCode(), cluster.body());
        assertTrue(cluster.body().contains(replica.instanceId()), cluster.body());

        HttpResponse<String> listed = keys().list();
        assertEquals(200, listed.statusCode(), listed.body());
        JsonNode used = null;
        for (JsonNode one : ApiKeys.json(listed.body()).path("items")) {
            if (one.path("name").asText().equals("acl-all")) {
                used = one;
            }
        }
        assertNotNull(used, listed.body());
        assertTrue(used.hasNonNull("lastUsedAt"), "its use was recorded: " + used);

        String[] doomed = ApiKeys.bearer(keys().create("acl-doomed", List.of("counters:write"), null));
        String counter = Unique.name("acl-key");
        assertEquals(200, http.post(counterUrl(counter) + "/increment", null, doomed).statusCode());
        assertEquals(200, keys().revoke("acl-doomed").statusCode());
        awaitStatus(401, () -> http.post(counterUrl(counter) + "/increment", null, doomed));
    }

    @Test
    @Order(5)
    void theQuotaCountsInRedis() {
        String counter = Unique.name("acl-quota");
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            HttpResponse<String> read = http.get(counterUrl(counter)); // anonymous: 3 per second
            statuses.add(read.statusCode());
            refused = read.statusCode() == 429 ? read : null;
        }
        assertNotNull(refused, "the anonymous quota of 3/s refused one of 20 quick reads: " + statuses);
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertTrue(refused.headers().firstValue("RateLimit").isPresent());
    }

    /**
     * Redis' own accounts, after the features above and a few rounds of the background work (job stats, claim
     * recovery, retries, the cluster snapshot): not one command, key or channel was refused, and each command the
     * rule allows has run, as Tally's own or inside one of its scripts.
     */
    @Test
    @Order(6)
    void redisRefusedNothingAndEveryCommandTheRuleAllowsWasUsed() {
        Set<String> allowed = rule().stream().filter(word -> word.startsWith("+")).map(word -> word.substring(1))
                .collect(Collectors.toCollection(TreeSet::new));
        long deadline = System.nanoTime() + WAIT.toNanos();
        Set<String> unused = new TreeSet<>(allowed);
        while (true) {
            unused.removeAll(commandsRun());
            if (unused.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Pause.of(Duration.ofMillis(500));
        }
        assertEquals("", admin.run("ACL", "LOG"), "Redis refused some of Tally's commands (ACL LOG)");
        assertEquals(Set.of(), unused, "the rule allows commands Tally never ran; it ran " + commandsRun());
        assertEquals(List.of(), replica.logLinesWith("NOPERM"), "no permission error in the replica's log");
    }

    @Test
    @Order(7)
    void theUserReachesNothingOutsideThePrefix() {
        assertEquals("OK", admin.run("SET", "other:x", "secret"));
        for (String[] outside : List.of(new String[] { "GET", "other:x" }, new String[] { "SET", "other:x", "1" },
                new String[] { "DEL", "other:x" }, new String[] { "EVAL", "return redis.call('GET', 'other:x')", "0" },
                new String[] { "SPUBLISH", "other:news", "hi" }, new String[] { "KEYS", "*" },
                new String[] { "FLUSHALL" }, new String[] { "CONFIG", "GET", "maxmemory" },
                new String[] { "SCRIPT", "FLUSH" }, new String[] { "ACL", "LIST" }, new String[] { "SHUTDOWN" })) {
            String reply = tally.run(outside);
            // A command is refused NOPERM; one inside a script fails the script with "can't access".
            assertTrue(reply.startsWith("NOPERM") || reply.contains("user executing the script can't access"),
                    String.join(" ", outside) + " answered " + reply);
        }
        assertEquals("secret", admin.run("GET", "other:x"), "still there, untouched");
        assertEquals("7", tally.run("EVAL", "return redis.call('INCRBY', KEYS[1], 7)", "1", "tally:acl-own"),
                "and its own keys it reaches, scripts included");
    }

    @Test
    @Order(8)
    void theUserAndItsPasswordMayBothBeInTheAddress() {
        try (ReplicaProcess second = ReplicaProcess.start("acl-url-" + UUID.randomUUID().toString().substring(0, 8),
                "redis://" + USER + ":" + password + "@127.0.0.1:" + redis.port())) {
            String counter = Unique.name("acl-url");
            assertValue(counter, 1, http.post(second.url("/api/v1/counters/" + counter + "/increment"), null));
        }
    }

    private static ApiKeys keys() {
        return ApiKeys.ofReplica(URI.create(replica.managementUrl("")));
    }

    private static String counterUrl(String counter) {
        return replica.url("/api/v1/counters/" + counter);
    }

    private static void assertValue(String counter, long value, HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(value, ApiKeys.json(response.body()).path("value").asLong(), counter + ": " + response.body());
    }

    private static String submit(String sleepPayload) {
        HttpResponse<String> submitted = http.post(replica.url("/api/v1/jobs"),
                "{\"type\":\"sleep\",\"payload\":" + sleepPayload + "}", key);
        assertEquals(202, submitted.statusCode(), submitted.body());
        return ApiKeys.json(submitted.body()).path("id").asText();
    }

    private static JsonNode await(String job, String status) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            HttpResponse<String> read = http.get(replica.url("/api/v1/jobs/" + job), key);
            assertEquals(200, read.statusCode(), read.body());
            JsonNode view = ApiKeys.json(read.body());
            if (status.equals(view.path("status").asText())) {
                return view;
            }
            assertTrue(System.nanoTime() < deadline, "job " + job + " not " + status + " within " + WAIT + ": " + view);
            Pause.of(Duration.ofMillis(100));
        }
    }

    private static void awaitStatus(int status, Supplier<HttpResponse<String>> request) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int last;
        while ((last = request.get().statusCode()) != status) {
            assertTrue(System.nanoTime() < deadline, "still " + last + ", not " + status);
            Pause.of(Duration.ofMillis(100));
        }
    }

    /**
     * The commands Redis ran (refused ones are counted apart, as {@code rejected_calls}), by their
     * {@code INFO commandstats} names ({@code xgroup|create}).
     */
    private static Set<String> commandsRun() {
        return info("commandstats").entrySet().stream()
                .filter(stat -> !stat.getValue().startsWith("calls=0,"))
                .map(stat -> stat.getKey().substring("cmdstat_".length()))
                .collect(Collectors.toSet());
    }

    private static Map<String, String> info(String section) {
        return RedisPing.infoFields(admin.run("INFO", section));
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
