package dev.tally.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import dev.tally.testsupport.LocalLauncher;
import dev.tally.testsupport.Ports;

/** The README's run command, exercised for real: it starts Redis and replicas, serves, and stops them all. */
class LocalLauncherIT {

    private final Http http = new Http();

    @Test
    void startsRedisAndTwoBareReplicasServesAndStopsEverythingOnSigterm() throws IOException {
        int app = Ports.freeRange(2);
        int management = Ports.freeRange(2);
        int redis = Ports.free();
        LocalLauncher launcher = LocalLauncher.start(Map.of("TALLY_REPLICAS", "2", "TALLY_NGINX", "off",
                "TALLY_PORT", Integer.toString(app), "TALLY_MANAGEMENT_PORT", Integer.toString(management),
                "TALLY_REDIS_PORT", Integer.toString(redis)));
        try {
            launcher.awaitReady(Duration.ofSeconds(120));
            String counter = "/api/v1/counters/launcher-" + System.nanoTime();
            assertEquals(200, http.post("http://127.0.0.1:" + app + counter + "/increment", null).statusCode());
            assertEquals(200, http.post("http://127.0.0.1:" + (app + 1) + counter + "/increment", null).statusCode());
            assertTrue(http.get("http://127.0.0.1:" + app + counter).body().contains("\"value\":2"),
                    "both replicas share the launcher's Redis");
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(launcher.runDir().resolve("ops-token")), "the token file is 0600");
            String token = launcher.opsToken();
            assertTrue(token.matches("[0-9a-f]{64}"), "32 random bytes as hex: " + token);
            for (int replica : List.of(management, management + 1)) {
                String cluster = "http://127.0.0.1:" + replica + "/ops/cluster";
                assertEquals(401, http.get(cluster).statusCode(), "without the token");
                assertEquals(200, http.withBearer(token).get(cluster).statusCode(), "every replica has the token");
            }
        } finally {
            assertEquals(0, launcher.stop(Duration.ofSeconds(60)), "exit code; output:\n" + launcher.output());
        }
        assertTrue(launcher.output().contains("stopped"), launcher.output());
        for (int port : List.of(app, app + 1, management, management + 1, redis)) {
            assertFalse(listening(port), "nothing left listening on " + port);
        }
    }

    @Test
    void refusesClearlyWhenAPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            LocalLauncher launcher = LocalLauncher.start(Map.of("TALLY_REPLICAS", "1",
                    "TALLY_PORT", Integer.toString(taken.getLocalPort()),
                    "TALLY_MANAGEMENT_PORT", Integer.toString(Ports.free()),
                    "TALLY_REDIS_PORT", Integer.toString(Ports.free())));
            assertTrue(launcher.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, launcher.process().exitValue());
            assertTrue(launcher.output().contains(
                    "port " + taken.getLocalPort() + " (replica 1 HTTP) is already in use"), launcher.output());
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
        LocalLauncher launcher = LocalLauncher.start(Map.of("PATH", bin.toString(),
                "TALLY_PORT", Integer.toString(Ports.free())));
        assertTrue(launcher.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, launcher.process().exitValue());
        // Without apt-get on the PATH even root cannot install it: the launcher names the one command to run.
        String output = launcher.output();
        assertTrue(output.contains("tally: missing redis-server "), output);
        assertTrue(output.contains("apt-get install -y --no-install-recommends redis-server"), output);
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
