package dev.tally.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Made request ids: UUID-shaped version 4, never repeated within a process, and not a readable sequence. */
class RequestIdGenerationTest {

    private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    private static final long MASK_62 = (1L << 62) - 1;

    @Test
    void madeIdsAreVersion4UuidsAndDistinctAcrossThreads() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (var pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> runs = IntStream.range(0, 4).<Future<?>>mapToObj(t -> pool.submit(() -> {
                for (int i = 0; i < 50_000; i++) {
                    String id = RequestIds.acceptOrGenerate(null);
                    assertTrue(id.matches(UUID_V4), id);
                    assertTrue(seen.add(id), "repeated: " + id);
                }
            })).toList();
            for (Future<?> run : runs) {
                run.get();
            }
        }
        assertEquals(200_000, seen.size());
    }

    @Test
    void theScrambleIsABijectionOfSixtyTwoBits() {
        // Invertible means no two counter values give one id: undo each step and get the input back.
        qt().withExamples(20_000).forAll(longs().all()).check(value -> {
            long input = value & MASK_62;
            long output = RequestIds.scramble(input);
            return (output & ~MASK_62) == 0 && unscramble(output) == input;
        });
    }

    @Test
    void consecutiveIdsDoNotRevealTheCount() {
        // A counter printed as is would differ from its successor in its last digit or two; scrambled, about half
        // of the 62 bits change.
        Set<Integer> changedBits = new HashSet<>();
        for (long n = 0; n < 1000; n++) {
            changedBits.add(Long.bitCount(RequestIds.scramble(n) ^ RequestIds.scramble(n + 1)));
        }
        assertTrue(changedBits.stream().mapToInt(Integer::intValue).min().orElseThrow() >= 8, changedBits.toString());
        UUID a = UUID.fromString(RequestIds.acceptOrGenerate(null));
        UUID b = UUID.fromString(RequestIds.acceptOrGenerate(null));
        assertEquals(a.getMostSignificantBits(), b.getMostSignificantBits(), "one process, one random half");
    }

    private static long unscramble(long value) {
        long x = value;
        x = unshift(x, 33);
        x = (x * inverse(0x81dadef4bc2dd44dL)) & MASK_62;
        x = unshift(x, 27);
        x = (x * inverse(0x7fb5d329728ea185L)) & MASK_62;
        return unshift(x, 31);
    }

    /** Inverts {@code x ^= x >>> shift} on 62 bits. */
    private static long unshift(long x, int shift) {
        long result = x;
        for (int i = 0; i < 62 / shift + 1; i++) {
            result = x ^ (result >>> shift);
        }
        return result & MASK_62;
    }

    /** The multiplicative inverse of an odd number modulo 2^64 (hence also modulo 2^62), by Newton's iteration. */
    private static long inverse(long odd) {
        long x = odd;
        for (int i = 0; i < 5; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }
}
