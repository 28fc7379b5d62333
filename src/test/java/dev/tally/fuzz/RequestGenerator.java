package dev.tally.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.fuzz.FuzzRequest.Header;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Requests for one operation of the OpenAPI document: its path, query, header and cookie parameters and its body
 * schema drive the values, each mixed with hostile variants ({@link Hostile}), and every header Tally reads
 * ({@code X-Request-Timeout}, {@code X-Request-Id}, {@code Authorization}, {@code Accept}, {@code Cookie},
 * {@code Content-Type}) is absent, valid or garbage. Weights keep most requests close to valid, so that they get
 * past the first check and reach the code behind it.
 */
final class RequestGenerator {

    /** One body in a hundred is over the 512 KiB body limit: cheap for the replica, costly to send. */
    private static final int OVERSIZE_IN_HUNDRED = 1;
    private static final int OVER_BODY_LIMIT = 513 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WRONG_MEDIA_TYPES = { "text/plain", "application/xml",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ";;;", "application/",
            "application/json; charset=utf-16", "application/json; charset=bogus", "APPLICATION/JSON",
            "application/json, text/plain", "application/problem+json", "*/*", "" };

    private RequestGenerator() {
    }

    static Arbitrary<FuzzRequest> requestsFor(ApiOperation operation) {
        Arbitrary<String> target = Combinators.combine(path(operation), query(operation),
                Arbitraries.frequency(Tuple.of(19, ""), Tuple.of(1, "/")))
                .as((path, query, slash) -> path + slash + query);
        Arbitrary<List<Header>> headers = headers(operation);
        Arbitrary<Body> body = operation.bodies().isEmpty() ? unexpectedBody() : body(operation.bodies());
        Arbitrary<Boolean> session = operation.cookies().isEmpty() ? Arbitraries.just(false)
                : Arbitraries.of(true, false);
        return Combinators.combine(target, headers, body, session).as((t, h, b, s) -> {
            List<Header> all = new ArrayList<>(h);
            all.addAll(b.contentTypes());
            return new FuzzRequest(operation.key(), operation.method(), t, all, b.bytes(), s);
        });
    }

    private record Body(List<Header> contentTypes, byte[] bytes) {
    }

    // ---- target ------------------------------------------------------------------------------------------------

    private static Arbitrary<String> path(ApiOperation operation) {
        List<String> pieces = List.of(operation.path().split("(?=\\{)|(?<=\\})"));
        List<Arbitrary<String>> parts = new ArrayList<>();
        for (String piece : pieces) {
            parts.add(piece.startsWith("{") && operation.pathParameters().containsKey(strip(piece))
                    ? pathValue() : Arbitraries.just(piece));
        }
        return Combinators.combine(parts).as(values -> String.join("", values));
    }

    private static Arbitrary<String> pathValue() {
        return Arbitraries.frequencyOf(
                Tuple.of(7, Arbitraries.strings().alpha().numeric().withChars("._:-").ofMinLength(1).ofMaxLength(40)),
                Tuple.of(2, Hostile.text().map(Wire::percentEncoded)),
                Tuple.of(1, Arbitraries.of("%", "%zz", "%2F", "%ED%A0%80", "%FF%FE", "..", ".", "%2e%2e", "a;b",
                        "%25", "%0d%0a")));
    }

    private static Arbitrary<String> query(ApiOperation operation) {
        List<Arbitrary<List<String>>> parameters = new ArrayList<>();
        for (Parameter parameter : operation.query()) {
            Arbitrary<String> value = parameterValue(parameter.getSchema(), parameter.getExample());
            Arbitrary<String> pair = value.map(v -> parameter.getName() + "=" + Wire.percentEncoded(v));
            parameters.add(Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(List.of())),
                    Tuple.of(8, pair.map(List::of)), Tuple.of(1, pair.list().ofSize(2))));
        }
        parameters.add(Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(List.of())),
                Tuple.of(1, Hostile.text().map(t -> Wire.percentEncoded(t) + "=1").map(List::of))));
        return Combinators.combine(parameters).as(lists -> {
            List<String> pairs = lists.stream().flatMap(List::stream).toList();
            return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
        });
    }

    /** A parameter's value: its example or one of its schema's, a number (most are numbers in disguise), any text. */
    private static Arbitrary<String> parameterValue(Schema<?> schema, Object example) {
        List<Object> examples = new ArrayList<>(ApiOperation.examplesOf(schema));
        if (example != null) {
            examples.add(example);
        }
        Arbitrary<String> documented = examples.isEmpty() ? Hostile.numbers()
                : Arbitraries.of(examples).map(String::valueOf);
        return Arbitraries.frequencyOf(Tuple.of(3, documented), Tuple.of(4, Hostile.numbers()),
                Tuple.of(3, Hostile.text()));
    }

    // ---- headers -----------------------------------------------------------------------------------------------

    private static Arbitrary<List<Header>> headers(ApiOperation operation) {
        List<Arbitrary<Optional<Header>>> headers = new ArrayList<>();
        for (Parameter parameter : operation.headers()) {
            headers.add(header(parameter.getName(), 4, Arbitraries.frequencyOf(
                    Tuple.of(3, Arbitraries.strings().alpha().numeric().withChars("-_").ofMinLength(1).ofMaxLength(64)),
                    Tuple.of(3, Hostile.text().map(Wire::raw)))));
        }
        headers.add(header("X-Request-Timeout", 8, Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.integers().between(1, 5000).map(String::valueOf)),
                Tuple.of(1, Hostile.numbers()), Tuple.of(1, Hostile.text().map(Wire::raw)))));
        headers.add(header("X-Request-Id", 7, Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.strings().alpha().numeric().withChars("-").ofMinLength(1).ofMaxLength(64)),
                Tuple.of(2, Hostile.text().map(Wire::raw)))));
        headers.add(header("Authorization", 8, Arbitraries.frequencyOf(
                Tuple.of(1, Hostile.text().map(t -> "Bearer " + Wire.raw(t))),
                Tuple.of(1, Arbitraries.of("Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "Bearer " + "a".repeat(5000),
                        "bearer x", "Token x", "Bearer a b c", "Bearer \u00ff")))));
        headers.add(header("Accept", 8, Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("application/json", "application/problem+json", "*/*")),
                Tuple.of(2, Arbitraries.of("text/html", "application/xml", "garbage/////", "*/*;q=abc",
                        "application/json;q=0", "", ";;;", "text/plain", "*/*;q=0")),
                Tuple.of(1, Hostile.text().map(Wire::raw)))));
        Arbitrary<String> cookie = Arbitraries.frequencyOf(
                Tuple.of(2, Hostile.text().map(t -> FuzzRequest.SESSION_COOKIE + "=" + Wire.raw(t))),
                Tuple.of(1, Arbitraries.of(FuzzRequest.SESSION_COOKIE, "=;=;", "TALLY_SESSION=a; TALLY_SESSION=b",
                        "a=" + "b".repeat(4000), "TALLY_SESSION=\"quoted\"", ";", "$Version=1; TALLY_SESSION=x")));
        headers.add(header("Cookie", 8, cookie));
        return Combinators.combine(headers).as(all -> all.stream().flatMap(Optional::stream).toList());
    }

    /** Absent with weight {@code absentWeight} (of 10), else the value, with CR and LF made spaces (no smuggling). */
    private static Arbitrary<Optional<Header>> header(String name, int absentWeight, Arbitrary<String> values) {
        return Arbitraries.frequencyOf(Tuple.of(absentWeight, Arbitraries.just(Optional.<Header>empty())),
                Tuple.of(10 - absentWeight, values.map(v -> Optional.of(new Header(name, oneLine(v))))));
    }

    private static String oneLine(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }

    // ---- bodies ------------------------------------------------------------------------------------------------

    private static Arbitrary<Body> body(Map<String, Schema<?>> bodies) {
        List<String> mediaTypes = List.copyOf(bodies.keySet());
        Arbitrary<String> json = Arbitraries.of(mediaTypes).flatMap(media -> Arbitraries.frequencyOf(
                Tuple.of(8, objectBody(bodies.get(media))), Tuple.of(1, Hostile.jsonValues()),
                Tuple.of(1, Arbitraries.of("", " ", "\n", "{", "{}x", "{}{}", "\uFEFF{}", "{\"a\":1,}", "nul"))));
        Arbitrary<byte[]> bytes = Arbitraries.frequencyOf(
                Tuple.of(100 - OVERSIZE_IN_HUNDRED, Combinators.combine(json, Arbitraries.of(0, 0, 0, 0, 0, 0, 1, 2))
                        .as(RequestGenerator::bytes)),
                Tuple.of(OVERSIZE_IN_HUNDRED, Arbitraries.integers().between(OVER_BODY_LIMIT, OVER_BODY_LIMIT + 4096)
                        .map(n -> ("{\"a\":\"" + "x".repeat(n) + "\"}").getBytes(StandardCharsets.US_ASCII))));
        Arbitrary<List<Header>> contentTypes = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.of(mediaTypes).map(RequestGenerator::contentType)),
                Tuple.of(1, Arbitraries.just(List.of())),
                Tuple.of(2, Arbitraries.of(WRONG_MEDIA_TYPES).map(RequestGenerator::contentType)),
                Tuple.of(1, Arbitraries.of(mediaTypes).map(media -> List.of(new Header("Content-Type", media),
                        new Header("Content-Type", "text/plain")))));
        return Combinators.combine(contentTypes, bytes).as(Body::new);
    }

    /** A body on an operation that takes none: usually none, sometimes JSON or garbage anyway. */
    private static Arbitrary<Body> unexpectedBody() {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(new Body(List.of(), null))),
                Tuple.of(2, Combinators.combine(Arbitraries.of(WRONG_MEDIA_TYPES), Hostile.jsonValues())
                        .as((media, json) -> new Body(contentType(media), Wire.utf8(json)))));
    }

    private static List<Header> contentType(String media) {
        return List.of(new Header("Content-Type", media));
    }

    /** 0: the JSON's UTF-8 (lone surrogates kept); 1: an invalid byte in front; 2: an invalid byte at the end. */
    private static byte[] bytes(String json, int corruption) {
        byte[] utf8 = Wire.utf8(json);
        return switch (corruption) {
            case 1 -> concat(new byte[] { (byte) 0xFF }, utf8);
            case 2 -> concat(utf8, new byte[] { (byte) 0xC3 });
            default -> utf8;
        };
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * A JSON object after the schema, half of them clean (documented members only, each of its type), half dirty: a
     * value of a wrong type, unknown members, a member named twice, or more members than any bound allows. Without
     * the clean half, an object of many members is almost never valid, and the code behind the parser goes untried.
     */
    private static Arbitrary<String> objectBody(Schema<?> schema) {
        Map<String, Schema> properties = schema == null || schema.getProperties() == null ? Map.of()
                : schema.getProperties();
        return Arbitraries.frequencyOf(Tuple.of(1, object(properties, false)), Tuple.of(1, object(properties, true)));
    }

    private static Arbitrary<String> object(Map<String, Schema> properties, boolean dirty) {
        List<Arbitrary<List<String>>> members = new ArrayList<>();
        properties.forEach((name, property) -> {
            Arbitrary<String> value = dirty ? anyValue(property) : typedValue(property);
            String key = Hostile.quote(name, true) + ":";
            members.add(Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(List.of())),
                    Tuple.of(7, value.map(v -> List.of(key + v))),
                    Tuple.of(dirty ? 1 : 0, value.list().ofSize(2).map(vs -> vs.stream().map(key::concat).toList()))));
        });
        if (dirty) {
            Arbitrary<String> unknownName = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just("a")),
                    Tuple.of(1, Hostile.jsonStrings(Hostile.text()).map(q -> q.substring(1, q.length() - 1))));
            members.add(Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(List.of())),
                    Tuple.of(3, Combinators.combine(unknownName, Hostile.jsonValues())
                            .as((n, v) -> "\"" + n + "\":" + v).list().ofMinSize(1).ofMaxSize(4)),
                    Tuple.of(1, Arbitraries.integers().between(60, 2000).map(n -> java.util.stream.IntStream
                            .range(0, n).mapToObj(i -> "\"m" + i + "\":null").toList()))));
        }
        return Combinators.combine(members)
                .as(lists -> "{" + String.join(",", lists.stream().flatMap(List::stream).toList()) + "}");
    }

    /** A value of the property's documented type: one of its examples, or a generated one. */
    private static Arbitrary<String> typedValue(Schema<?> property) {
        List<Object> examples = ApiOperation.examplesOf(property);
        Arbitrary<String> typed = switch (String.valueOf(ApiOperation.typeOf(property))) {
            case "integer", "number" -> Hostile.numbers().filter(n -> !n.isBlank());
            case "string" -> Hostile.jsonStrings(Hostile.text());
            case "boolean" -> Arbitraries.of("true", "false");
            default -> examples.isEmpty() ? Hostile.jsonValues() : Arbitraries.of(examples).map(RequestGenerator::json);
        };
        return examples.isEmpty() ? typed : Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(examples).map(RequestGenerator::json)), Tuple.of(1, typed));
    }

    /** Mostly a value of the property's type, else any JSON value or something that is almost one. */
    private static Arbitrary<String> anyValue(Schema<?> property) {
        return Arbitraries.frequencyOf(Tuple.of(1, typedValue(property)), Tuple.of(1, Hostile.jsonValues()));
    }

    private static String json(Object example) {
        try {
            return JSON.writeValueAsString(example);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an example of the OpenAPI document is not JSON: " + example, e);
        }
    }

    private static String strip(String placeholder) {
        return placeholder.substring(1, placeholder.length() - 1);
    }
}
