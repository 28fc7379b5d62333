package dev.tally.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A live-feed client that completes the WebSocket handshake over a raw socket with a tiny receive buffer and then
 * reads nothing until told to: TCP flow control then pushes back on the server, as a stalled phone or a
 * congested link would. {@link #readUntil} later drains what the kernel held and parses the frames.
 */
public final class SlowLiveReader implements AutoCloseable {

    private static final Pattern VALUE = Pattern.compile("\"value\":(-?\\d+)");
    private final Socket socket;
    private final DataInputStream in;
    private final List<Long> values = new ArrayList<>();

    public SlowLiveReader(int port, String path) {
        try {
            socket = new Socket();
            socket.setReceiveBufferSize(4096); // before connect, so the advertised window stays small
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in = new DataInputStream(socket.getInputStream());
            socket.setSoTimeout(30_000);
            String head = readHead();
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("handshake refused: " + head);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads frames until a text frame carries {@code value}, or fails after {@code millis}; returns all values. */
    public List<Long> readUntil(long value, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        try {
            while (values.isEmpty() || values.get(values.size() - 1) != value) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("value " + value + " not received; last values " + tail());
                }
                socket.setSoTimeout((int) left);
                readFrame();
            }
            return List.copyOf(values);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("value " + value + " not received; last values " + tail(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Long> tail() {
        return values.subList(Math.max(0, values.size() - 10), values.size());
    }

    private void readFrame() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)]; // server frames are never masked
        in.readFully(payload);
        int opcode = first & 0x0f;
        if (opcode == 1) {
            Matcher matcher = VALUE.matcher(new String(payload, StandardCharsets.UTF_8));
            if (matcher.find()) {
                values.add(Long.parseLong(matcher.group(1)));
            }
        } else if (opcode == 8) {
            throw new IllegalStateException("server closed the socket");
        } // pings (9) need no answer for this test
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) { // byte by byte: the first frame may follow the head in the same segment
            head.write(in.readUnsignedByte());
            byte[] bytes = head.toByteArray();
            int n = bytes.length;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
                return new String(bytes, StandardCharsets.US_ASCII);
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
