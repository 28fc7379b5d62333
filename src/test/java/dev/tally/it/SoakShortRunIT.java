package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Ports;

/**
 * The short run of issue 15's stress and soak suite, in the test command: a small ramp ({@code bench/stress.sh},
 * two 15 s steps, each counted after its first 5 s and 60 ms per user) and a 2-minute soak with two faults
 * ({@code bench/soak.sh}: every Redis connection reset, then Redis killed with -9 and restarted from its append-only
 * file), each on its own 3-replica stack behind Nginx with TLS, driven by the locust users of
 * {@code bench/locustfile.py}, every answer verified. Fails on a lost or wrong increment, session or job, a failed request in the ramp, a fault's own check
 * (the 20 increments acknowledged just before Redis was killed must be there after its restart), a service that did
 * not recover by itself, or a resource trend beyond its bound per hour (bench/report.py; over about a minute of
 * samples it can only see a large leak: more than its floor, e.g. 24 MiB of RSS, within that minute; heap after GC
 * is measured by a full collection every 20 s). About 4 minutes on 2 cores. The reports (HTML and PNGs) stay in
 * {@code target/soak-short-run/}.
 */
class SoakShortRunIT {

    private static final Path PROJECT = Path.of(System.getProperty("tally.project.dir", "."));
    private static final Path REPORTS = PROJECT.resolve("target").resolve("soak-short-run");

    @Test
    void aSmallRampAndATwoMinuteSoakWithTwoFaultsLoseNothingAndShowNoLeak() throws Exception {
        Map<String, String> ramp = Map.of("STRESS_USERS", "10 30", "STRESS_STEP_SECONDS", "15",
                "STRESS_SETTLE_SECONDS", "5", "STRESS_WARMUP_SECONDS", "0", "STRESS_REPORTS", REPORTS.toString());
        Run stress = run("stress.sh", ramp, Duration.ofMinutes(3));
        assertEquals(0, stress.exitCode(), "bench/stress.sh failed a verification:\n" + stress.tail());
        assertTrue(stress.output().contains("knee"), "bench/stress.sh reported no knee:\n" + stress.tail());

        Map<String, String> soak = Map.of("SOAK_MINUTES", "2", "SOAK_USERS", "30", "SOAK_SAMPLE_SECONDS", "2",
                "SOAK_WARMUP_SECONDS", "30", "SOAK_FAULTS", "link-reset,redis-restart", "SOAK_FAULT_FROM", "0.1",
                "SOAK_FAULT_TO", "0.3", "SOAK_FULL_GC_SECONDS", "20", "SOAK_REPORTS", REPORTS.toString());
        Run soakRun = run("soak.sh", soak, Duration.ofMinutes(5));
        List<String> lines = soakRun.output().lines().toList();
        String verdict = lines.stream().filter(line -> line.startsWith("soak PASSED") || line.startsWith("soak FAILED"))
                .findFirst().orElse("no verdict");
        assertTrue(verdict.startsWith("soak PASSED"), "bench/soak.sh: " + verdict + "\n" + soakRun.tail());
        assertEquals(0, soakRun.exitCode(), soakRun.tail());
        assertEquals(2, lines.stream().filter(line -> line.startsWith("soak: fault ")).count(),
                "both faults were injected and checked:\n" + soakRun.tail());
    }

    private record Run(int exitCode, String output) {
        String tail() {
            List<String> lines = output.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
    }

    /** Runs one bench script on free loopback ports, with its output (both streams) kept in the reports dir. */
    private static Run run(String script, Map<String, String> settings, Duration limit)
            throws IOException, InterruptedException {
        Files.createDirectories(REPORTS);
        Path log = REPORTS.resolve(script + "-" + Instant.now().getEpochSecond() + ".log");
        Map<String, String> env = new HashMap<>(settings);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("BENCH_PORT", String.valueOf(Ports.freeRange(3)));
        env.put("BENCH_MANAGEMENT_PORT", String.valueOf(Ports.freeRange(3)));
        env.put("BENCH_REDIS_PORT", String.valueOf(Ports.freeRange(3))); // soak.sh: Redis, its proxy, the control
        env.put("BENCH_HTTPS_PORT", String.valueOf(Ports.free()));
        env.put("BENCH_HTTP_PORT", String.valueOf(Ports.free()));
        ProcessBuilder builder = new ProcessBuilder("bash", PROJECT.resolve("bench").resolve(script).toString())
                .directory(PROJECT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            // SIGTERM: the script's trap stops its locust, sampler, stack, proxy and Redis by PID
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            throw new AssertionError("bench/" + script + " ran longer than " + limit + ":\n"
                    + new Run(-1, Files.readString(log)).tail());
        }
        return new Run(process.exitValue(), Files.readString(log));
    }
}
