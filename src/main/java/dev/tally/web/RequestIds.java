package dev.tally.web;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpServerRequest;

/** Request-id rules: an incoming id is kept when it is safe to echo and log, otherwise a fresh one is made. */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";

    // Nginx's $request_id is 32 hex chars; UUIDs and most tracing ids fit too. Anything else could smuggle
    // control characters or huge values into logs and headers, so it is replaced rather than trusted.
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    // Made ids: UUID-shaped (version 4, variant 2 bits set), unique without a SecureRandom call per request, which
    // took a lock shared by every event loop (bench/profile.sh, docs/tuning.md). The high half is random once per
    // process; the low half is a per-process counter through a bijection of 62 bits keyed once per process, so no
    // two ids of one process are equal (for 2^62 requests) and the ids do not reveal how many requests it served.
    // Two processes collide only if their 60 random bits do.
    private static final long MASK_62 = (1L << 62) - 1;
    private static final long PROCESS_BITS;
    private static final long PROCESS_KEY;
    private static final AtomicLong SEQUENCE = new AtomicLong();

    static {
        SecureRandom seed = new SecureRandom();
        PROCESS_BITS = (seed.nextLong() & ~0xF000L) | 0x4000L; // version 4 in bits 12-15
        PROCESS_KEY = seed.nextLong() & MASK_62;
    }

    private RequestIds() {
    }

    /** The request's agreed id (set by {@link RequestTagging}, which runs first on both ports). */
    public static String of(HttpServerRequest request) {
        return request.getHeader(HEADER);
    }

    public static String acceptOrGenerate(String incoming) {
        if (incoming != null && SAFE.matcher(incoming).matches()) {
            return incoming;
        }
        return generate();
    }

    /** A fresh id, as a UUID's 36 characters. */
    static String generate() {
        long low = scramble(SEQUENCE.getAndIncrement() ^ PROCESS_KEY);
        return new UUID(PROCESS_BITS, Long.MIN_VALUE | low).toString(); // variant 0b10 in the top bits
    }

    /** A bijection of the low 62 bits (xor-shifts and odd multipliers modulo 2^62, each invertible). */
    static long scramble(long value) {
        long x = value & MASK_62;
        x ^= x >>> 31;
        x = (x * 0x7fb5d329728ea185L) & MASK_62;
        x ^= x >>> 27;
        x = (x * 0x81dadef4bc2dd44dL) & MASK_62;
        x ^= x >>> 33;
        return x;
    }
}
