package dev.tally.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Speaks just enough RESP to know a Redis answers, without a client library. */
public final class RedisPing {

    private RedisPing() {
    }

    public static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            socket.setSoTimeout(500);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code INFO section} as field → value (e.g. {@code process_id}), read from the RESP bulk reply. */
    public static Map<String, String> info(String host, int port, String section) {
        String body = command(host, port, Duration.ofSeconds(5), "INFO", section);
        if (body.startsWith("-")) {
            throw new IllegalStateException("INFO " + section + " from " + host + ":" + port + ": " + body);
        }
        return infoFields(body);
    }

    /** The fields of an {@code INFO} reply's text (however it was fetched), as field → value. */
    public static Map<String, String> infoFields(String body) {
        Map<String, String> fields = new TreeMap<>();
        body.lines().filter(line -> line.contains(":") && !line.startsWith("#"))
                .forEach(line -> fields.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1)));
        return fields;
    }

    /**
     * Sends one command (as a RESP array, so arguments may hold spaces) and returns its reply as text: a status or
     * integer as is, an error with its leading {@code -} (so callers can tell it from a value), a bulk string's
     * content, nil as {@code null}. Enough for the commands tests send to a Redis they control.
     */
    public static String command(String host, int port, Duration timeout, String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout((int) timeout.toMillis());
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            String header = line(in);
            return switch (header.charAt(0)) {
                case '+', ':' -> header.substring(1);
                case '-' -> header;
                case '$' -> {
                    int length = Integer.parseInt(header.substring(1));
                    yield length < 0 ? null : new String(in.readNBytes(length), StandardCharsets.UTF_8);
                }
                default -> throw new IOException("unexpected reply type: " + header);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", args) + " to " + host + ":" + port, e);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("Redis closed the connection");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    public static void awaitAnswer(String host, int port, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!answers(host, port)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Redis at " + host + ":" + port + " did not answer within " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Redis", e);
            }
        }
    }
}
