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
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("INFO " + section + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder header = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("Redis closed the connection");
                }
                header.append((char) c);
            }
            if (header.charAt(0) != '$') {
                throw new IOException("not a bulk reply: " + header);
            }
            String body = new String(in.readNBytes(Integer.parseInt(header.substring(1).trim())), StandardCharsets.UTF_8);
            Map<String, String> fields = new TreeMap<>();
            body.lines().filter(line -> line.contains(":") && !line.startsWith("#"))
                    .forEach(line -> fields.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1)));
            return fields;
        } catch (IOException e) {
            throw new UncheckedIOException("INFO " + section + " from " + host + ":" + port, e);
        }
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
