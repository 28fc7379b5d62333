package dev.tally.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.math.RoundingMode;

import org.junit.jupiter.api.Test;

/** The Server-Timing duration: the digits String.format("%.3f") gave, half up, without its cost. */
class MillisTest {

    @Test
    void writesThreeDecimalsRoundedHalfUp() {
        assertEquals("0.000", Millis.format(0));
        assertEquals("0.000", Millis.format(499));
        assertEquals("0.001", Millis.format(500));
        assertEquals("0.010", Millis.format(10_000));
        assertEquals("0.100", Millis.format(99_999)); // rounds up to the next tenth
        assertEquals("1.234", Millis.format(1_234_000));
        assertEquals("1500.000", Millis.format(1_500_000_000L));
    }

    @Test
    void agreesWithExactDecimalRounding() {
        qt().withExamples(20_000).forAll(longs().between(0, 3_600_000_000_000L)).check(nanos ->
                Millis.format(nanos).equals(new BigDecimal(nanos).movePointLeft(6).setScale(3, RoundingMode.HALF_UP)
                        .toPlainString()));
    }
}
