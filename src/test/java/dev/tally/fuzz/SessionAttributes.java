package dev.tally.fuzz;

import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.quicktheories.core.Gen;

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

    static Gen<String> objects() {
        Gen<String> name = Gens.strings(Gens.ALPHA + Gens.DIGITS + "._:-", 1, 20);
        Gen<String> member = name.zip(values(2), (n, v) -> "\"" + n + "\":" + v);
        return Gens.lists(member, 1, 6).map(SessionAttributes::firstOfEachName)
                .map(members -> "{" + String.join(",", members) + "}");
    }

    private static Gen<String> values(int depth) {
        Gen<String> scalar = Gens.weighted(
                4, Hostile.numbers().map(String::trim).assuming(n -> n.matches(JSON_NUMBER)),
                3, Hostile.text().assuming(t -> t.length() < 500).map(t -> Hostile.quote(t, true)),
                1, Gens.of("true", "false"));
        if (depth == 0) {
            return scalar;
        }
        return Gens.weighted(6, scalar,
                1, Gens.lists(values(depth - 1), 0, 3).map(vs -> "[" + String.join(",", vs) + "]"),
                1, Gens.lists(values(depth - 1), 0, 3).map(SessionAttributes::numbered));
    }

    /** A name given twice is a member given twice: keep its first (a session body names each attribute once). */
    private static List<String> firstOfEachName(List<String> members) {
        Map<String, String> byName = new LinkedHashMap<>();
        members.forEach(m -> byName.putIfAbsent(m.substring(0, m.indexOf("\":")), m));
        return List.copyOf(byName.values());
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
