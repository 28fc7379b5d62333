package dev.tally.fuzz;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Valid session attribute objects (names by the documented rule, values any JSON but null) and the check that a
 * session gives back exactly what it was given: numbers compared by value, so {@code 1.10} equals {@code 1.1}, but
 * {@code 1E400} must not come back as the string "Infinity" nor {@code 0.12345678901234567890} as a double.
 */
final class SessionAttributes {

    private static final ObjectMapper EXACT = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;
    private static final String JSON_NUMBER = "-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?";

    private SessionAttributes() {
    }

    static Arbitrary<String> objects() {
        Arbitrary<String> name = Arbitraries.strings().alpha().numeric().withChars("._:-").ofMinLength(1)
                .ofMaxLength(20);
        Arbitrary<String> member = Combinators.combine(name, values(2)).as((n, v) -> "\"" + n + "\":" + v);
        return member.list().ofMinSize(1).ofMaxSize(6).uniqueElements(m -> m.substring(0, m.indexOf("\":")))
                .map(members -> "{" + String.join(",", members) + "}");
    }

    private static Arbitrary<String> values(int depth) {
        Arbitrary<String> scalar = Arbitraries.frequencyOf(
                Tuple.of(4, Hostile.numbers().map(String::trim).filter(n -> n.matches(JSON_NUMBER))),
                Tuple.of(3, Hostile.text().filter(t -> t.length() < 500).map(t -> Hostile.quote(t, true))),
                Tuple.of(1, Arbitraries.of("true", "false")));
        if (depth == 0) {
            return scalar;
        }
        return Arbitraries.frequencyOf(Tuple.of(6, scalar),
                Tuple.of(1, values(depth - 1).list().ofMaxSize(3).map(vs -> "[" + String.join(",", vs) + "]")),
                Tuple.of(1, values(depth - 1).list().ofMaxSize(3).map(SessionAttributes::numbered)));
    }

    private static String numbered(List<String> values) {
        StringBuilder object = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            object.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(values.get(i));
        }
        return object.append('}').toString();
    }

    /** True when the answer's attributes are, value for value, the object that was sent. */
    static boolean sameAs(String sent, String answer) {
        try {
            return EXACT.readTree(sent).equals(BY_VALUE, EXACT.readTree(answer).path("attributes"));
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + answer, e);
        }
    }
}
