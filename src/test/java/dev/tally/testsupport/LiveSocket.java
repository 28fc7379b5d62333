package dev.tally.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Assertions;

/**
 * A live counter feed as a client sees it, through the JDK's WebSocket client: every value received, in order,
 * and whether (and how) the server closed the socket. Waits poll with a deadline.
 */
public final class LiveSocket implements AutoCloseable {

    private static final Pattern MESSAGE = Pattern.compile("\\{\"name\":\"([^\"]+)\",\"value\":(-?\\d+)}");

    private final List<Long> values = new CopyOnWriteArrayList<>();
    private final List<String> malformed = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    private final String expectedName;
    private WebSocket socket;

    private LiveSocket(String expectedName) {
        this.expectedName = expectedName;
    }

    /** Opens {@code ws://} or {@code wss://} ({@code tls} may be null for plain). */
    public static LiveSocket open(String url, String counter, SSLContext tls) {
        LiveSocket live = new LiveSocket(counter);
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15));
        if (tls != null) {
            client.sslContext(tls);
        }
        try {
            live.socket = client.build().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(15))
                    .buildAsync(URI.create(url), live.new Listener()).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("no handshake with " + url, e);
        }
        return live;
    }

    /** The HTTP status of a refused handshake; fails when the handshake succeeds. */
    public static int refusal(String url) {
        return refusal(url, null);
    }

    /** The same over {@code wss://} ({@code tls} may be null for plain). */
    public static int refusal(String url, SSLContext tls) {
        HttpClient.Builder client = HttpClient.newBuilder();
        if (tls != null) {
            client.sslContext(tls);
        }
        try {
            client.build().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(15))
                    .buildAsync(URI.create(url), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS)
                    .abort();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw new AssertionError("handshake failed without an HTTP answer", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no handshake answer from " + url, e);
        }
        throw new AssertionError("handshake to " + url + " was accepted");
    }

    public List<Long> values() {
        return List.copyOf(values);
    }

    public List<String> malformed() {
        return List.copyOf(malformed);
    }

    public Long last() {
        return values.isEmpty() ? null : values.get(values.size() - 1);
    }

    public boolean isClosed() {
        return closedWith.isDone();
    }

    /** The close code the server sent, waiting up to {@code within}. */
    public int awaitClose(Duration within) {
        try {
            return closedWith.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("socket not closed within " + within, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Polls until the last value received is {@code expected}. */
    public void awaitLast(long expected, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (last() == null || last() != expected) {
            Assertions.assertTrue(System.nanoTime() < deadline, "last value " + last() + ", expected " + expected
                    + " within " + within + "; received " + summary());
            Pause.of(Duration.ofMillis(10));
        }
    }

    public String summary() {
        List<Long> all = values();
        return all.size() <= 20 ? all.toString() : all.size() + " values, first " + all.subList(0, 10) + ", last "
                + all.subList(all.size() - 10, all.size());
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        if (socket != null) {
            socket.abort();
        }
    }

    private final class Listener implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                Matcher matcher = MESSAGE.matcher(text);
                if (matcher.matches() && matcher.group(1).equals(expectedName)) {
                    values.add(Long.parseLong(matcher.group(2)));
                } else {
                    malformed.add(text);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedWith.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closedWith.complete(-1);
        }
    }
}
