package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code redis-cli} (it comes with {@code redis-server}), logged in as one ACL user: what an operator, or
 * anyone holding that user's password, can do on a Redis that has no default user to fall back on; or as the
 * default user of a Redis without passwords ({@link #onPort}), as a local launcher's nodes are.
 */
public final class RedisCli {

    private final int port;
    private final String user;
    private final String password;

    private RedisCli(int port, String user, String password) {
        this.port = port;
        this.user = user;
        this.password = password;
    }

    public static RedisCli as(int port, String user, String password) {
        return new RedisCli(port, user, password);
    }

    /** As the default user, without a password. */
    public static RedisCli onPort(int port) {
        return new RedisCli(port, null, null);
    }

    /** Runs one command; its reply as redis-cli prints it to a pipe (an error reply as its text, e.g. NOPERM ...). */
    public String run(String... command) {
        List<String> line = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        if (user != null) {
            line.addAll(List.of("--user", user));
        }
        line.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
        if (password != null) {
            builder.environment().put("REDISCLI_AUTH", password); // not on the command line, where ps would show it
        }
        try {
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-cli " + String.join(" ", command) + " did not finish");
            }
            return new String(output, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-cli (apt-get install redis-tools)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running redis-cli", e);
        }
    }
}
