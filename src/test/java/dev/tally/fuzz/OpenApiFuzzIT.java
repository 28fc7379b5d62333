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

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.RealRedis;
import dev.tally.testsupport.RedisProvisioner;
import dev.tally.testsupport.ReplicaProcess;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Fuzzes a real replica (the packaged jar, on a real Redis of its own) with requests generated from the OpenAPI
 * document it serves: every operation, its parameters and body schema, with hostile variants of each
 * ({@link RequestGenerator}). Every answer must keep {@link AnswerRules}; at the end the replica must be ready and
 * live, and Redis may have grown only within the bounds below. Seeded and bounded: {@link #TRIES} requests, the
 * same ones on every run; docs/testing.md says how to try another seed or replay one.
 */
class OpenApiFuzzIT {

    /** Change to explore other requests; a failing run prints its seed, which replays it exactly. */
    static final String SEED = "190190190";
    static final int TRIES = 4000;
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

    @BeforeContainer
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

    // No jqwik edge cases: the generators name their edge values themselves, and jqwik's would all be GET /'s (the
    // only operation with few enough combinations), a third of the run spent on one route.
    @Property(tries = TRIES, seed = SEED, edgeCases = EdgeCasesMode.NONE, shrinking = ShrinkingMode.BOUNDED,
            afterFailure = AfterFailureMode.SAMPLE_FIRST)
    @AddLifecycleHook(ThenHealthyAndBounded.class)
    void everyGeneratedRequestGetsNo5xxAndEveryErrorIsAProblem(@ForAll("requests") FuzzRequest request) {
        FuzzRequest sent = request.withLiveSession() ? request.withCookie(newSession()) : request;
        RawHttp.Answer answer = raw.exchange(sent);
        TALLY.record(request, answer);
        TALLY.knownBug(AnswerRules.check(sent, answer));
    }

    /**
     * What a session stores is what it was given. Found by the fuzz: a session attribute {@code 1e400} came back as
     * the string "Infinity" and {@code 0.12345678901234567890123} as {@code 0.12345678901234568} (JSON numbers read
     * as doubles, web/StrictJson now reads them as BigDecimal).
     */
    @Property(tries = 300, seed = SEED, edgeCases = EdgeCasesMode.NONE)
    void aSessionGivesBackTheAttributesItWasGiven(@ForAll("sessionBodies") String attributes) {
        HttpResponse<String> created = HTTP.post(replica.url("/api/v1/sessions"), attributes);
        TALLY.sessionMade(attributes.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        if (created.statusCode() != 201) {
            throw new AssertionError("a valid session body was refused: " + created.statusCode() + " " + created.body());
        }
        if (!SessionAttributes.sameAs(attributes, created.body())) {
            throw new AssertionError("sent " + attributes + ", the session holds " + created.body());
        }
    }

    @Provide
    Arbitrary<String> sessionBodies() {
        return SessionAttributes.objects();
    }

    @Provide
    Arbitrary<FuzzRequest> requests() {
        // One operation as likely as another, whatever the size of its input space.
        return Arbitraries.oneOf(operations.stream().map(RequestGenerator::requestsFor).toList());
    }

    /**
     * Runs after all tries, inside the property (so its summary lands in the test's report and a failure fails the
     * property): prints the summary, then checks that the replica is ready and live and that Redis stayed bounded.
     */
    static final class ThenHealthyAndBounded implements AroundPropertyHook {

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            PropertyExecutionResult result = property.execute();
            String summary = TALLY.summary(SEED, Duration.between(started, Instant.now()));
            System.out.println(summary);
            writeSummary(summary);
            try {
                assertUp("/q/health/ready");
                assertUp("/q/health/live");
                assertRedisBounded();
            } catch (AssertionError broken) {
                return result.status() == PropertyExecutionResult.Status.SUCCESSFUL ? result.mapToFailed(broken)
                        : result;
            }
            return result;
        }
    }

    @AfterContainer
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
        // 2 per counter an increment touched; the last term is KnownBug.PERMANENT_VERSION_KEY_ON_RESET's waiver.
        long permanentBound = PERMANENT_KEYS_ONCE + 2L * TALLY.countersIncremented() + TALLY.countersOnlyReset();
        System.out.printf("Redis keys without a lifetime: %+d (bound %d: %d counters incremented, %d only reset)%n",
                after.persistentKeys() - before.persistentKeys(), permanentBound, TALLY.countersIncremented(),
                TALLY.countersOnlyReset());
        if (after.persistentKeys() - before.persistentKeys() > permanentBound) {
            throw new AssertionError("Redis gained " + (after.persistentKeys() - before.persistentKeys())
                    + " keys without a lifetime, more than " + permanentBound + " (" + PERMANENT_KEYS_ONCE
                    + " once, 2 per counter incremented, 1 per counter only reset)");
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
