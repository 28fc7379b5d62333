package dev.tally.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Text to the bytes a fuzzer sends: UTF-8 that keeps lone surrogates (as their 3-byte form), percent-encoding. */
final class Wire {

    private Wire() {
    }

    /**
     * UTF-8 of every code point, lone surrogates included ({@code \uD800} becomes ED A0 80, which a strict decoder
     * must refuse); {@link String#getBytes} would quietly turn them into '?'.
     */
    static byte[] utf8(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        text.codePoints().forEach(cp -> {
            if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | cp >> 6);
                out.write(0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                out.write(0xE0 | cp >> 12);
                out.write(0x80 | cp >> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            } else {
                out.write(0xF0 | cp >> 18);
                out.write(0x80 | cp >> 12 & 0x3F);
                out.write(0x80 | cp >> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            }
        });
        return out.toByteArray();
    }

    /** The UTF-8 bytes as a byte string (one char per byte), for a header value sent raw. */
    static String raw(String text) {
        return new String(utf8(text), StandardCharsets.ISO_8859_1);
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters, so any text fits in a path or query. */
    static String percentEncoded(String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : utf8(text)) {
            int c = b & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(String.format("%02X", c));
            }
        }
        return encoded.toString();
    }
}
