package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.Ports;

/** The README's run command, exercised for real: it starts Redis and replicas, serves, and stops them all. */
class LocalLauncherIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("tally.project.dir", "."), "deploy", "local", "up");
    private final Http http = new Http();

    @Test
    void startsRedisAndTwoReplicasServesAndStopsEverythingOnSigterm() throws Exception {
        int app = Ports.free();
        int management = Ports.free();
        int redis = Ports.free();
        Launch launch = launch(Map.of("TALLY_REPLICAS", "2", "TALLY_NGINX", "off", "TALLY_PORT", Integer.toString(app),
                "TALLY_MANAGEMENT_PORT", Integer.toString(management), "TALLY_REDIS_PORT", Integer.toString(redis)));
        try {
            launch.awaitLine("ready.", Duration.ofSeconds(120));
            String counter = "/api/v1/counters/launcher-" + System.nanoTime();
            assertEquals(200, http.post("http://127.0.0.1:" + app + counter + "/increment", null).statusCode());
            assertEquals(200, http.post("http://127.0.0.1:" + (app + 1) + counter + "/increment", null).statusCode());
            assertTrue(http.get("http://127.0.0.1:" + app + counter).body().contains("\"value\":2"),
                    "both replicas share the launcher's Redis");
        } finally {
            // SIGTERM, as a process manager would send. Not Process.destroy(): it also closes our end of the output.
            new ProcessBuilder("kill", "-TERM", Long.toString(launch.process().pid())).start().waitFor();
        }
        assertTrue(launch.process().waitFor(60, TimeUnit.SECONDS), "launcher exits after SIGTERM");
        assertEquals(0, launch.process().exitValue(), "exit code; output:\n" + launch.output());
        assertTrue(launch.output().contains("stopped"), launch.output());
        for (int port : List.of(app, app + 1, management, management + 1, redis)) {
            assertFalse(listening(port), "nothing left listening on " + port);
        }
    }

    @Test
    void refusesClearlyWhenAPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Launch launch = launch(Map.of("TALLY_PORT", Integer.toString(taken.getLocalPort()),
                    "TALLY_MANAGEMENT_PORT", Integer.toString(Ports.free()),
                    "TALLY_REDIS_PORT", Integer.toString(Ports.free())));
            assertTrue(launch.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, launch.process().exitValue());
            assertTrue(launch.output().contains("port " + taken.getLocalPort() + " (replica 1 HTTP) is already in use"),
                    launch.output());
        }
    }

    @Test
    void namesThePackageWhenRedisServerIsMissing() throws Exception {
        // A PATH with the basic tools but without redis-server.
        Path bin = Files.createTempDirectory("tally-path-");
        for (String tool : List.of("bash", "dirname", "sed", "sort", "ls", "find", "curl", "seq", "sleep", "mkdir")) {
            Path real = Path.of("/usr/bin", tool);
            if (Files.exists(real)) {
                Files.createSymbolicLink(bin.resolve(tool), real);
            }
        }
        Launch launch = launch(Map.of("PATH", bin.toString(), "TALLY_PORT", Integer.toString(Ports.free())));
        assertTrue(launch.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, launch.process().exitValue());
        assertTrue(launch.output().contains("'redis-server' is not installed; install it with: apt-get install "
                + "redis-server"), launch.output());
    }

    private record Launch(Process process, BlockingQueue<String> lines, StringBuffer log) {

        void awaitLine(String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null && line.contains(text)) {
                    return;
                }
                if (line == null && !process.isAlive()) {
                    break;
                }
            }
            throw new AssertionError("launcher never printed '" + text + "':\n" + log);
        }

        String output() throws InterruptedException {
            Thread.sleep(100); // let the reader drain the last lines after exit
            return log.toString();
        }
    }

    private static Launch launch(Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", LAUNCHER.toString()).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("TALLY_RUN_DIR", Files.createTempDirectory("tally-run-").toString());
        Process process = builder.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        StringBuffer log = new StringBuffer();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    log.append(line).append('\n');
                    lines.add(line);
                }
            } catch (IOException e) {
                log.append("[output closed: ").append(e.getMessage()).append("]\n");
            }
        });
        return new Launch(process, lines, log);
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
