package dev.tally.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One generated request, exactly as it goes on the wire. The target and header values are byte strings (one char
 * per byte, ISO-8859-1), so invalid UTF-8 and control bytes survive. {@link #toString()} prints it the way a
 * reader wants to see a shrunk counterexample: the operation, the request line, the headers, the body (escaped,
 * cut after a few hundred bytes).
 */
record FuzzRequest(String operation, String method, String target, List<Header> headers, byte[] body,
        boolean withLiveSession) {

    static final String SESSION_COOKIE = "TALLY_SESSION";

    record Header(String name, String value) {
    }

    FuzzRequest {
        headers = List.copyOf(headers);
    }

    Optional<String> header(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst();
    }

    /** This request with a real session's cookie added (the session is created just before it is sent). */
    FuzzRequest withCookie(String sessionId) {
        List<Header> all = new ArrayList<>(headers);
        all.add(new Header("Cookie", SESSION_COOKIE + "=" + sessionId));
        return new FuzzRequest(operation, method, target, all, body, false);
    }

    /** The bytes sent: request line, Host, the generated headers, Content-Length when there is a body. */
    byte[] wireBytes(String hostHeader) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostHeader).append("\r\n");
        for (Header header : headers) {
            head.append(header.name()).append(": ").append(header.value()).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            wire.writeBytes(body);
        }
        return wire.toByteArray();
    }

    int wireLength() {
        return target.length() + headers.stream().mapToInt(h -> h.name().length() + h.value().length() + 4).sum()
                + (body == null ? 0 : body.length);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("\n[").append(operation).append("]\n");
        text.append(method).append(' ').append(printable(target.getBytes(StandardCharsets.ISO_8859_1), 300));
        text.append('\n');
        for (Header header : headers) {
            text.append(header.name()).append(": ")
                    .append(printable(header.value().getBytes(StandardCharsets.ISO_8859_1), 200)).append('\n');
        }
        if (withLiveSession) {
            text.append("Cookie: TALLY_SESSION=<a session created just before>\n");
        }
        if (body == null) {
            text.append("(no body)\n");
        } else {
            text.append("(body, ").append(body.length).append(" bytes)\n").append(printable(body, 400)).append('\n');
        }
        return text.toString();
    }

    /** Printable ASCII as is, everything else as \xNN; cut after {@code max} bytes. */
    static String printable(byte[] bytes, int max) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, max); i++) {
            int b = bytes[i] & 0xff;
            text.append(b >= 0x20 && b < 0x7f && b != '\\' ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        if (bytes.length > max) {
            text.append("... (").append(bytes.length - max).append(" more bytes)");
        }
        return text.toString();
    }
}
