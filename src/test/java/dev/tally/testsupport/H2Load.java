package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs nghttp2's h2load, an HTTP/2 load client that multiplexes streams on few connections and, unlike browsers,
 * never opens a new connection after a GOAWAY: whatever it had queued on a connection the server closed counts as
 * failed. That makes it the strict client for "does a busy h2 connection stay open".
 */
public final class H2Load {

    private static final Pattern REQUESTS = Pattern.compile(
            "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored");
    private static final Pattern STATUSES = Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");

    /** What h2load reported: requests that got a 2xx, and all that did not finish with an answer (or got no 2xx). */
    public record Result(long total, long succeeded, long failed, long ok2xx, String output) {
    }

    private H2Load() {
    }

    /**
     * POSTs {@code body} (JSON) {@code total} times to {@code url} over {@code connections} connections, at most
     * {@code streams} in flight on each ({@code -m}); h2load does not verify the server's certificate.
     */
    public static Result post(String url, String body, int total, int connections, int streams, Duration timeout) {
        try {
            Path data = Files.createTempFile("h2load-body-", ".json");
            try {
                Files.writeString(data, body);
                return run(timeout, List.of("-n", Integer.toString(total), "-c", Integer.toString(connections),
                        "-m", Integer.toString(streams), "-d", data.toString(), "-H", "content-type: application/json",
                        url));
            } finally {
                Files.deleteIfExists(data);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Result run(Duration timeout, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("h2load"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("h2load did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher requests = REQUESTS.matcher(output);
        Matcher statuses = STATUSES.matcher(output);
        if (process.exitValue() != 0 || !requests.find() || !statuses.find()) {
            throw new AssertionError("h2load failed (exit " + process.exitValue() + "):\n" + output);
        }
        return new Result(Long.parseLong(requests.group(1)), Long.parseLong(requests.group(4)),
                Long.parseLong(requests.group(5)), Long.parseLong(statuses.group(1)), output);
    }
}
