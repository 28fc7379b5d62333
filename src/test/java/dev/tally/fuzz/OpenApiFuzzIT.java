package dev.tally.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisProvisioner;
import dev.tally.testsupport.ReplicaProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;

/**
 * Fuzzes a real replica (the packaged jar, on a real Redis of its own) with requests generated from the OpenAPI
 * document it serves: every operation, its parameters and body schema, with hostile variants of each
 * ({@link RequestGenerator}). Every answer must keep {@link AnswerRules}; at the end the replica must be ready and
 * live, and Redis may have grown only within the bounds below. Seeded and bounded: {@link #TRIES} requests, the
 * same ones on every run, within {@link #MINUTES}; docs/testing.md says how to try another seed or replay one.
 * The properties run on QuickTheories inside ordinary JUnit tests: the sessions first, then the fuzz, whose end
 * checks count every request the class sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiFuzzIT {

    /** Change to explore other requests; a failing run prints its seed ("Seed was …"), which replays it exactly. */
    static final long SEED = 190190190L;
    static final int TRIES = 4000;
    static final int SESSION_TRIES = 300;
    /**
     * Shrink steps after a failure, each one a request: enough to cut a body to the one member that matters, bounded
     * so that a failure on a slow machine still ends in about a minute.
     */
    static final int SHRINK_CYCLES = 2000;
    /** A hard bound on each property, shrinking included: the committed seed takes about 15 s of requests. */
    static final int MINUTES = 6;
    /** New keys per request sent: a counter's value, version and idempotency key, a session, a job's record. */
    static final int KEYS_PER_REQUEST = 3;
    /**
     * Keys without a lifetime a run may add besides its counters' (a value and a version key each): the job stream
     * and the like, one per feature, however many requests.
     */
    static final int PERMANENT_KEYS_ONCE = 8;
    /** Redis growth per request sent, beyond the bytes of the bodies it accepted (key names, records, metadata). */
    static final long BYTES_PER_REQUEST = 1024;
    /**
     * Growth allowed once per run, whatever the count: the scripts Redis caches on their first use and the buffers of
     * the replica's connections (about 160 KiB after 73 requests, measured).
     */
    static final long BYTES_ONCE = 512 * 1024;

    private static RealRedis redis;
    private static ReplicaProcess replica;
    private static List<ApiOperation> operations;
    private static RawHttp raw;
    private static RedisUsage before;
    private static Instant started;
    private static final FuzzTally TALLY = new FuzzTally();
    private static final Http HTTP = new Http();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startReplica() {
        redis = RedisProvisioner.controllable();
        // Work stays small whatever is generated: the demo endpoints refuse more than 50 ms or 20,000 iterations,
        // and an api replica queues jobs without running them (a digest job may ask for 50 million iterations).
        // The anonymous scopes open every route once API keys exist, so the fuzz reaches past authentication.
        replica = ReplicaProcess.start("fuzz", redis.url(), Map.of(
                "TALLY_ROLE", "api",
                "TALLY_WORK_MAX_BLOCKING", "50ms",
                "TALLY_WORK_MAX_CPU_ITERATIONS", "20000",
                "TALLY_SESSION_COOKIE_SECURE", "false",
                "TALLY_AUTH_ANONYMOUS_SCOPES",
                "counters:read,counters:write,counters:admin,jobs:submit,jobs:admin,work"));
        HttpResponse<String> document = HTTP.get(replica.managementUrl("/q/openapi?format=json"));
        if (document.statusCode() != 200) {
            throw new IllegalStateException("no OpenAPI document: " + document.statusCode() + " " + document.body());
        }
        operations = ApiOperation.allOf(document.body());
        TALLY.operations(operations);
        raw = new RawHttp("127.0.0.1", URI.create(replica.url("/")).getPort(), Duration.ofSeconds(20));
        before = RedisUsage.of(redis);
        started = Instant.now();
    }

    /**
     * Every answer keeps {@link AnswerRules}; then, after all tries (and after a failure too, so the summary always
     * lands in the report), the summary, and the replica's health and Redis's growth are checked.
     */
    @Test
    @Order(2)
    @Timeout(value = MINUTES, unit = TimeUnit.MINUTES)
    void everyGeneratedRequestGetsNo5xxAndEveryErrorIsAProblem() {
        try {
            theory(TRIES).forAll(requests()).checkAssert(request -> {
                FuzzRequest sent = request.withLiveSession() ? request.withCookie(newSession()) : request;
                RawHttp.Answer answer = raw.exchange(sent);
                TALLY.record(request, answer);
                TALLY.knownBug(AnswerRules.check(sent, answer));
            });
        } finally {
            String summary = TALLY.summary(String.valueOf(SEED), Duration.between(started, Instant.now()));
            System.out.println(summary);
            writeSummary(summary);
        }
        assertUp("/q/health/ready");
        assertUp("/q/health/live");
        assertRedisBounded();
    }

    /**
     * What a session stores is what it was given. Found by the fuzz: a session attribute {@code 1e400} came back as
     * the string "Infinity" and {@code 0.12345678901234567890123} as {@code 0.12345678901234568} (JSON numbers read
     * as doubles, web/StrictJson now reads them as BigDecimal).
     */
    @Test
    @Order(1)
    @Timeout(value = MINUTES, unit = TimeUnit.MINUTES)
    void aSessionGivesBackTheAttributesItWasGiven() {
        theory(SESSION_TRIES).forAll(SessionAttributes.objects()).checkAssert(attributes -> {
            HttpResponse<String> created = HTTP.post(replica.url("/api/v1/sessions"), attributes);
            TALLY.sessionMade(attributes.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            if (created.statusCode() != 201) {
                throw new AssertionError("a valid session body was refused: " + created.statusCode() + " "
                        + created.body());
            }
            if (!SessionAttributes.sameAs(attributes, created.body())) {
                throw new AssertionError("sent " + attributes + ", the session holds " + created.body());
            }
        });
    }

    /**
     * The committed seed and count, no time limit of QuickTheories' own (the test's timeout bounds it; a time limit
     * would end a slow run early and quietly send fewer requests). A failure throws an AssertionError with the
     * shrunk value (FuzzRequest's toString), its cause and the seed.
     */
    private static QuickTheory theory(int examples) {
        return QuickTheory.qt().withFixedSeed(SEED).withExamples(examples).withUnlimitedTestingTime()
                .withShrinkCycles(SHRINK_CYCLES);
    }

    private static Gen<FuzzRequest> requests() {
        // One operation as likely as another, whatever the size of its input space.
        return Gens.oneOf(operations.stream().map(RequestGenerator::requestsFor).toList());
    }

    @AfterAll
    static void stopReplica() {
        if (replica != null) {
            replica.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static void assertRedisBounded() {
        RedisUsage after = RedisUsage.of(redis);
        int sent = TALLY.allRequests();
        long keyBound = (long) KEYS_PER_REQUEST * sent;
        long memoryBound = BYTES_ONCE + TALLY.acceptedBodyBytes() + BYTES_PER_REQUEST * sent;
        System.out.printf("Redis after %d requests: %+d keys (bound %d), %+d bytes used_memory (bound %d)%n",
                sent, after.keys() - before.keys(), keyBound, after.usedMemory() - before.usedMemory(), memoryBound);
        // 2 per counter an increment touched (its value and version); a reset leaves none (docs/operations.md).
        long permanentBound = PERMANENT_KEYS_ONCE + 2L * TALLY.countersIncremented();
        System.out.printf("Redis keys without a lifetime: %+d (bound %d: %d counters incremented)%n",
                after.persistentKeys() - before.persistentKeys(), permanentBound, TALLY.countersIncremented());
        if (after.persistentKeys() - before.persistentKeys() > permanentBound) {
            throw new AssertionError("Redis gained " + (after.persistentKeys() - before.persistentKeys())
                    + " keys without a lifetime, more than " + permanentBound + " (" + PERMANENT_KEYS_ONCE
                    + " once, 2 per counter incremented)");
        }
        if (after.keys() - before.keys() > keyBound) {
            throw new AssertionError("Redis gained " + (after.keys() - before.keys()) + " keys for " + sent
                    + " requests, more than " + KEYS_PER_REQUEST + " per request");
        }
        if (after.usedMemory() - before.usedMemory() > memoryBound) {
            throw new AssertionError("Redis grew by " + (after.usedMemory() - before.usedMemory()) + " bytes for "
                    + sent + " requests, more than " + BYTES_ONCE + " once plus the accepted bodies plus "
                    + BYTES_PER_REQUEST + " each");
        }
    }

    private static String newSession() {
        HttpResponse<String> created = HTTP.post(replica.url("/api/v1/sessions"), "{}");
        TALLY.sessionMade();
        String setCookie = created.headers().firstValue("Set-Cookie").orElseThrow(() -> new IllegalStateException(
                "POST /api/v1/sessions set no cookie: " + created.statusCode() + " " + created.body()));
        String pair = setCookie.split(";", 2)[0];
        return pair.substring(pair.indexOf('=') + 1);
    }

    private static void assertUp(String probe) {
        HttpResponse<String> answer = HTTP.get(replica.managementUrl(probe));
        try {
            if (answer.statusCode() != 200 || !"UP".equals(JSON.readTree(answer.body()).path("status").asText())) {
                throw new AssertionError(probe + " after the fuzz: " + answer.statusCode() + " " + answer.body());
            }
        } catch (IOException e) {
            throw new AssertionError(probe + " is not JSON: " + answer.body(), e);
        }
    }

    /** Beside failsafe's reports, so the count survives in CI's artifacts as well as in the console. */
    private static void writeSummary(String summary) {
        try {
            Path reports = Files.createDirectories(Path.of("target", "failsafe-reports"));
            Files.writeString(reports.resolve(OpenApiFuzzIT.class.getName() + "-summary.txt"), summary + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
