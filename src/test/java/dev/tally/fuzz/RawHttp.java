package dev.tally.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * HTTP/1.1 over a plain socket, one request per connection ({@code Connection: close}). The JDK client refuses
 * what a fuzzer must send (NUL or raw UTF-8 bytes in a header, a repeated {@code Content-Type}, a target with
 * invalid percent escapes), so requests are written byte for byte as an attacker's tool would.
 */
record RawHttp(String host, int port, Duration timeout) {

    /** Writes requests while the caller reads the answer (see {@link #exchange}). */
    private static final Executor WRITERS = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * Sends the request and reads until the server closes the connection. Writing and reading run at the same time,
     * as in a browser: a server may answer an oversize body (413) and close before it has read all of it, and the
     * client's remaining writes then fail with a broken pipe. Reading only after the last write would fail there,
     * with the answer already received, so the answer is read while the request is still being written and a
     * failed write counts only when no answer came.
     */
    Answer exchange(FuzzRequest request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            byte[] wire = request.wireBytes(host + ":" + port);
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> write(socket, wire), WRITERS);
            byte[] received = readAll(socket.getInputStream());
            if (received.length == 0) {
                written.join();
            }
            return Answer.parse(received);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete answer within " + timeout + " (the replica hangs on this request)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private static void write(Socket socket, byte[] wire) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(wire);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the request could not be written", e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[16384];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // a server that closes with unread request bytes resets the connection; what arrived still counts
            if (all.size() == 0) {
                throw reset;
            }
        }
        return all.toByteArray();
    }

    /** A parsed answer: status, headers (names lower-cased, in order) and the decoded body. */
    record Answer(int status, List<String[]> headers, byte[] body) {

        static Answer parse(byte[] raw) {
            int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (end < 0) {
                throw new AssertionError("no HTTP answer, only " + raw.length + " bytes: "
                        + FuzzRequest.printable(raw, 200));
            }
            String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            int status = Integer.parseInt(statusLine[1]);
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.add(new String[] { lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim() });
            }
            byte[] rest = Arrays.copyOfRange(raw, end + 4, raw.length);
            Answer head = new Answer(status, headers, rest);
            boolean chunked = head.header("transfer-encoding").map(v -> v.equalsIgnoreCase("chunked")).orElse(false);
            return new Answer(status, headers, chunked ? dechunk(rest) : head.header("content-length")
                    .map(length -> Arrays.copyOf(rest, Math.min(rest.length, Integer.parseInt(length)))).orElse(rest));
        }

        Optional<String> header(String name) {
            return headers.stream().filter(h -> h[0].equals(name)).map(h -> h[1]).findFirst();
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        private static byte[] dechunk(byte[] chunked) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int at = 0;
            while (at < chunked.length) {
                int lineEnd = indexOf(Arrays.copyOfRange(chunked, at, chunked.length), new byte[] { '\r', '\n' });
                String size = new String(chunked, at, lineEnd, StandardCharsets.US_ASCII).split(";")[0].trim();
                int length = Integer.parseInt(size, 16);
                if (length == 0) {
                    break;
                }
                body.write(chunked, at + lineEnd + 2, length);
                at += lineEnd + 2 + length + 2;
            }
            return body.toByteArray();
        }

        private static int indexOf(byte[] data, byte[] pattern) {
            outer: for (int i = 0; i <= data.length - pattern.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (data[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
