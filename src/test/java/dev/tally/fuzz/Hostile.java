package dev.tally.fuzz;

import java.math.BigInteger;

import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;

/**
 * The building blocks of hostile input: numbers a 64-bit parser chokes on, text a naive encoder breaks on, JSON
 * that is deep, duplicated or not JSON at all. Every generator shrinks towards the plain, short case (its first
 * weight is the plain one).
 */
final class Hostile {

    /** Hand-picked numbers that break parsers: 64-bit edges and just past them, floats, exponents, non-decimals. */
    private static final String[] EDGE_NUMBERS = { "0", "-0", "1", "-1", "9223372036854775807",
            "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
            "1" + "0".repeat(40), "-" + "9".repeat(400), "1.5", "-0.0", "1e3", "1E400", "-1e-400", "2.5e-7", "0x10",
            "01", "+1", "NaN", "Infinity", "-Infinity", "1_000", "\u0661\u0662", "1 ", " 1", "" };

    /** Hand-picked text that breaks encoders, routers and log lines. */
    private static final String[] ODD_TEXT = { "", " ", "\u0000", "a\u0000b", "\uD800", "\uDFFF", "x\uDBFFy",
            "\u202Eevil", "\u200F\u05D0\u05D1", "e\u0301\u0302\u0303", "\uFEFFbom", "\uD83D\uDE00", "\uFFFF", "..",
            "../../etc/passwd", "%", "%zz", "%00", "{x}", "\"x}", "'", "<script>", "${jndi:ldap://x}", "a b", "\r\n",
            "\t", "null", "true", "[]", "{}", "\\", "a/b", "?", "#", "*" };

    private Hostile() {
    }

    /** A number as text: mostly small, then 64-bit edges, beyond 64 bits, floats, exponents and non-numbers. */
    static Gen<String> numbers() {
        BigInteger low = BigInteger.TWO.pow(63);
        BigInteger span = BigInteger.TWO.pow(300).subtract(low);
        return Gens.weighted(
                5, SourceDSL.longs().between(-100, 1000).map(v -> String.valueOf(v)),
                2, SourceDSL.longs().all().map(v -> String.valueOf(v)),
                3, Gens.of(EDGE_NUMBERS),
                1, SourceDSL.bigIntegers().ofBytes(38).map(big -> low.add(big.abs().mod(span)))
                        .map(big -> (big.testBit(0) ? "-" : "") + big),
                1, SourceDSL.doubles().any().map(v -> String.valueOf(v)));
    }

    /** Text of every kind: plain, hand-picked trouble, any UTF-16 units (lone surrogates too), very long. */
    static Gen<String> text() {
        return Gens.weighted(
                3, Gens.strings("abcdefghijklmnopqrstuvwxyz" + Gens.DIGITS + "._:-", 1, 24),
                3, Gens.of(ODD_TEXT),
                2, Gens.anyChars(16),
                2, SourceDSL.integers().between(150, 2000).map("x"::repeat),
                1, SourceDSL.integers().between(2000, 30000).map("x"::repeat),
                1, SourceDSL.integers().between(1, 600).map(n -> "e" + "\u0301".repeat(n)));
    }

    /** A JSON string literal for any text: escaped as JSON allows (\\uD800 included) or raw UTF-8 bytes. */
    static Gen<String> jsonStrings(Gen<String> text) {
        return Gens.weighted(3, text.map(t -> quote(t, true)), 1, text.map(t -> quote(t, false)));
    }

    /** Any JSON value, or something that is almost one: wrong types for a field, deep nesting, broken tokens. */
    static Gen<String> jsonValues() {
        return Gens.weighted(
                3, numbers().assuming(n -> !n.isBlank()),
                2, Gens.of("true", "false", "null", "[]", "{}", "[1,2]", "{\"a\":1}"),
                3, jsonStrings(text()),
                1, SourceDSL.integers().between(2, 5000).map(n -> "[".repeat(n) + "]".repeat(n)),
                1, SourceDSL.integers().between(2, 3000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)),
                1, Gens.of("[", "{", "\"open", "tru", "nul", "1.", "-", "'x'", "[1,]", "{\"a\"}"));
    }

    /**
     * A quoted JSON string. {@code escape}: every non-ASCII or control character as a JSON escape (so a lone
     * surrogate is the valid-syntax, invalid-Unicode {@code \\uD800}); otherwise the characters are left for the
     * caller to encode raw, after escaping only what JSON requires.
     */
    static String quote(String text, boolean escape) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || (escape && c > 0x7e)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
