package dev.tally.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher gives replicas the AOT cache only when it was made for the jars and the JDK at hand
 * (deploy/local/aot.sh, aot_state): a missing or stale cache must make it start without one, never with a cache
 * of another build. Runs the real shell functions on a made-up application directory.
 */
class AotCacheStateTest {

    private static final Path AOT_SH = Path.of(System.getProperty("user.dir"), "deploy/local/aot.sh");
    private static final String JAVA_HOME = System.getProperty("java.home");

    @TempDir
    Path app;

    @Test
    void aCacheIsFreshOnlyForTheJarsAndJdkItWasMadeFor() throws Exception {
        Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "not really a jar");
        Files.createDirectories(app.resolve("lib/main"));
        Path lib = Files.writeString(app.resolve("lib/main/a-library.jar"), "nor this");
        Path cache = app.resolve("app.aot");
        assertEquals("missing", state(cache));

        Files.writeString(cache, "a cache");
        assertEquals("missing", state(cache), "a cache without its fingerprint is not trusted");

        Files.writeString(app.resolve("app.aot.fingerprint"), shell("aot_fingerprint '" + JAVA_HOME + "' '" + app + "'"));
        assertEquals("fresh", state(cache));

        Files.setLastModifiedTime(lib, FileTime.from(Instant.now().plusSeconds(60)));
        assertEquals("stale", state(cache), "a dependency rebuilt since");

        Files.writeString(app.resolve("app.aot.fingerprint"), shell("aot_fingerprint '" + JAVA_HOME + "' '" + app + "'"));
        Files.writeString(jar, "another build of the application");
        assertEquals("stale", state(cache), "the application rebuilt since");
    }

    private String state(Path cache) throws Exception {
        return shell("aot_state '" + JAVA_HOME + "' '" + app + "' '" + cache + "'");
    }

    private static String shell(String call) throws IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", "-c", ". '" + AOT_SH + "' && " + call).redirectErrorStream(true)
                .start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!bash.waitFor(30, TimeUnit.SECONDS) || bash.exitValue() != 0) {
            throw new AssertionError("bash failed: " + call + "\n" + out);
        }
        return out;
    }
}
