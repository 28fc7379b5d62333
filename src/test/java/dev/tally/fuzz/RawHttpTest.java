package dev.tally.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/**
 * The harness must report what the server answered even when the server answers before it has read the whole
 * request and then closes, as a replica does with a body over its limit (413). The body here is far larger than
 * any socket buffer on loopback, so the client's writes always fail once the server has closed with unread bytes
 * (which resets the connection): reading only after writing lost the answer to a broken pipe.
 */
class RawHttpTest {

    private static final byte[] ANSWER = ("HTTP/1.1 413 Request Entity Too Large\r\n"
            + "Content-Type: application/problem+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            .getBytes(StandardCharsets.US_ASCII);

    @Test
    void anAnswerSentBeforeTheBodyWasReadIsStillRead() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> answerEarlyAndReset(server));
            FuzzRequest oversize = new FuzzRequest("increment", "POST", "/api/v1/counters/c/increment", List.of(),
                    new byte[64 * 1024 * 1024], false);

            RawHttp.Answer answer = new RawHttp("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(10))
                    .exchange(oversize);

            served.join();
            assertEquals(413, answer.status(), answer::toString);
            assertEquals("{}", answer.bodyText());
        }
    }

    /** Reads the request head only, answers, and closes with the body unread: the kernel resets the connection. */
    private static void answerEarlyAndReset(ServerSocket server) {
        try (Socket client = server.accept()) {
            InputStream in = client.getInputStream();
            for (int matched = 0; matched < 4;) {
                int b = in.read();
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            client.getOutputStream().write(ANSWER);
            client.getOutputStream().flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
