package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/1.1 requests written byte for byte on a fresh connection, for what an HTTP client library will not send
 * (a forged {@code Host}, {@code %00} or {@code /../} in the path, a chosen source address) or will not show (a
 * connection closed without an answer). The request should say {@code Connection: close}: the answer is everything
 * the server sends until it closes.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** Over plain TCP to loopback {@code port}, from the local address {@code from}. */
    public static Answer plain(InetAddress from, int port, String request) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return exchange(socket, request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Over TLS (HTTP/1.1; no SNI, as the host is an address) to loopback {@code port}. */
    public static Answer tls(SSLContext tls, int port, String request) {
        return tls(tls, InetAddress.getLoopbackAddress(), port, request);
    }

    /** The same from the local address {@code from} (any 127.x.y.z on Linux): a client of its own to Nginx. */
    public static Answer tls(SSLContext tls, InetAddress from, int port, String request) {
        try (SSLSocket socket = tlsSocket(tls, from, port)) {
            return exchange(socket, request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TLS connection from {@code from} to loopback {@code port}, handshake done, for requests written by hand. */
    public static SSLSocket tlsSocket(SSLContext tls, InetAddress from, int port) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port,
                from, 0);
        socket.startHandshake();
        return socket;
    }

    /**
     * What came back: the status ({@code -1} when the server closed without sending anything), the headers (names
     * in lower case, the last of repeated ones) and the body as sent (not de-chunked).
     */
    public record Answer(int status, Map<String, String> headers, String body, String raw) {

        static Answer parse(String raw) {
            int end = raw.indexOf("\r\n\r\n");
            if (raw.isEmpty() || end < 0) {
                return new Answer(-1, Map.of(), "", raw);
            }
            String[] lines = raw.substring(0, end).split("\r\n");
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            return new Answer(Integer.parseInt(lines[0].substring(9, 12)), headers, raw.substring(end + 4), raw);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static Answer exchange(Socket socket, String request) throws IOException {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return Answer.parse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
    }
}
