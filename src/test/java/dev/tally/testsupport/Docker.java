package dev.tally.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code docker} and {@code docker-compose} command-line tools, run as a user would run them (the environment,
 * {@code DOCKER_HOST} included, is passed on), each bounded in time so a stuck engine fails the test instead of
 * hanging it.
 */
public final class Docker {

    public static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

    /** What a command printed and how it ended; exit -1 when it could not be started at all. */
    public record Output(List<String> command, int exit, String stdout, String stderr) {

        /** Standard output without surrounding blank space. */
        public String out() {
            return stdout.strip();
        }

        /** This output, or an AssertionError naming the command and everything it printed. */
        public Output ok() {
            if (exit != 0) {
                throw new AssertionError(String.join(" ", command) + " exited with " + exit + ":\n" + stdout + stderr);
            }
            return this;
        }
    }

    private Docker() {
    }

    /** {@code docker ARGS}, which must succeed; its trimmed standard output. */
    public static String docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return run(COMMAND_TIMEOUT, Map.of(), command.toArray(String[]::new)).ok().out();
    }

    /** Any command with extra environment variables; never throws for a non-zero exit, only for the time limit. */
    public static Output run(Duration timeout, Map<String, String> env, String... command) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tally-docker-cli-");
            ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                    Path.of("/dev/null").toFile())).redirectOutput(dir.resolve("out").toFile())
                    .redirectError(dir.resolve("err").toFile());
            builder.environment().putAll(env);
            Process process;
            try {
                process = builder.start();
            } catch (IOException notInstalled) {
                return new Output(List.of(command), -1, "", notInstalled.getMessage());
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Output(List.of(command), process.exitValue(), Files.readString(dir.resolve("out")),
                    Files.readString(dir.resolve("err")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }
}
