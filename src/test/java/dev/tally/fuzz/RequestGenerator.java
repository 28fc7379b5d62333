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
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;

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

    static Gen<FuzzRequest> requestsFor(ApiOperation operation) {
        Gen<String> target = path(operation).zip(query(operation),
                Gens.<String>weighted(19, Gens.just(""), 1, Gens.just("/")),
                (path, query, slash) -> path + slash + query);
        Gen<List<Header>> headers = headers(operation);
        Gen<Body> body = operation.bodies().isEmpty() ? unexpectedBody() : body(operation.bodies());
        Gen<Boolean> session = operation.cookies().isEmpty() ? Gens.just(false)
                : Gens.of(true, false);
        return target.zip(headers, body, session, (t, h, b, s) -> {
            List<Header> all = new ArrayList<>(h);
            all.addAll(b.contentTypes());
            return new FuzzRequest(operation.key(), operation.method(), t, all, b.bytes(), s);
        });
    }

    private record Body(List<Header> contentTypes, byte[] bytes) {
    }

    // ---- target ------------------------------------------------------------------------------------------------

    private static Gen<String> path(ApiOperation operation) {
        List<String> pieces = List.of(operation.path().split("(?=\\{)|(?<=\\})"));
        List<Gen<String>> parts = new ArrayList<>();
        for (String piece : pieces) {
            parts.add(piece.startsWith("{") && operation.pathParameters().containsKey(strip(piece))
                    ? pathValue() : Gens.just(piece));
        }
        return Gens.all(parts).map(values -> String.join("", values));
    }

    private static Gen<String> pathValue() {
        return Gens.weighted(
                7, Gens.strings(Gens.ALPHA + Gens.DIGITS + "._:-", 1, 40),
                2, Hostile.text().map(Wire::percentEncoded),
                1, Gens.of("%", "%zz", "%2F", "%ED%A0%80", "%FF%FE", "..", ".", "%2e%2e", "a;b",
                        "%25", "%0d%0a"));
    }

    private static Gen<String> query(ApiOperation operation) {
        List<Gen<List<String>>> parameters = new ArrayList<>();
        for (Parameter parameter : operation.query()) {
            Gen<String> value = parameterValue(parameter.getSchema(), parameter.getExample());
            Gen<String> pair = value.map(v -> parameter.getName() + "=" + Wire.percentEncoded(v));
            parameters.add(Gens.weighted(3, Gens.just(List.of()),
                    8, pair.map(v -> List.of(v)), 1, Gens.lists(pair, 2, 2)));
        }
        parameters.add(Gens.weighted(9, Gens.just(List.of()),
                1, Hostile.text().map(t -> Wire.percentEncoded(t) + "=1").map(v -> List.of(v))));
        return Gens.all(parameters).map(lists -> {
            List<String> pairs = lists.stream().flatMap(List::stream).toList();
            return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
        });
    }

    /** A parameter's value: its example or one of its schema's, a number (most are numbers in disguise), any text. */
    private static Gen<String> parameterValue(Schema<?> schema, Object example) {
        List<Object> examples = new ArrayList<>(ApiOperation.examplesOf(schema));
        if (example != null) {
            examples.add(example);
        }
        Gen<String> documented = examples.isEmpty() ? Hostile.numbers()
                : Gens.of(examples).map(v -> String.valueOf(v));
        return Gens.weighted(3, documented, 4, Hostile.numbers(),
                3, Hostile.text());
    }

    // ---- headers -----------------------------------------------------------------------------------------------

    private static Gen<List<Header>> headers(ApiOperation operation) {
        List<Gen<Optional<Header>>> headers = new ArrayList<>();
        for (Parameter parameter : operation.headers()) {
            headers.add(header(parameter.getName(), 4, Gens.weighted(
                    3, Gens.strings(Gens.ALPHA + Gens.DIGITS + "-_", 1, 64),
                    3, Hostile.text().map(Wire::raw))));
        }
        headers.add(header("X-Request-Timeout", 8, Gens.weighted(
                2, SourceDSL.integers().between(1, 5000).map(v -> String.valueOf(v)),
                1, Hostile.numbers(), 1, Hostile.text().map(Wire::raw))));
        headers.add(header("X-Request-Id", 7, Gens.weighted(
                2, Gens.strings(Gens.ALPHA + Gens.DIGITS + "-", 1, 64),
                2, Hostile.text().map(Wire::raw))));
        headers.add(header("Authorization", 8, Gens.weighted(
                1, Hostile.text().map(t -> "Bearer " + Wire.raw(t)),
                1, Gens.of("Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "Bearer " + "a".repeat(5000),
                        "bearer x", "Token x", "Bearer a b c", "Bearer \u00ff"))));
        headers.add(header("Accept", 8, Gens.weighted(
                3, Gens.of("application/json", "application/problem+json", "*/*"),
                2, Gens.of("text/html", "application/xml", "garbage/////", "*/*;q=abc",
                        "application/json;q=0", "", ";;;", "text/plain", "*/*;q=0"),
                1, Hostile.text().map(Wire::raw))));
        Gen<String> cookie = Gens.weighted(
                2, Hostile.text().map(t -> FuzzRequest.SESSION_COOKIE + "=" + Wire.raw(t)),
                1, Gens.of(FuzzRequest.SESSION_COOKIE, "=;=;", "TALLY_SESSION=a; TALLY_SESSION=b",
                        "a=" + "b".repeat(4000), "TALLY_SESSION=\"quoted\"", ";", "$Version=1; TALLY_SESSION=x"));
        headers.add(header("Cookie", 8, cookie));
        return Gens.all(headers).map(all -> all.stream().flatMap(Optional::stream).toList());
    }

    /** Absent with weight {@code absentWeight} (of 10), else the value, with CR and LF made spaces (no smuggling). */
    private static Gen<Optional<Header>> header(String name, int absentWeight, Gen<String> values) {
        return Gens.weighted(absentWeight, Gens.just(Optional.<Header>empty()),
                10 - absentWeight, values.map(v -> Optional.of(new Header(name, oneLine(v)))));
    }

    private static String oneLine(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }

    // ---- bodies ------------------------------------------------------------------------------------------------

    private static Gen<Body> body(Map<String, Schema<?>> bodies) {
        List<String> mediaTypes = List.copyOf(bodies.keySet());
        Gen<String> json = Gens.of(mediaTypes).flatMap(media -> Gens.weighted(
                8, objectBody(bodies.get(media)), 1, Hostile.jsonValues(),
                1, Gens.of("", " ", "\n", "{", "{}x", "{}{}", "\uFEFF{}", "{\"a\":1,}", "nul")));
        Gen<byte[]> bytes = Gens.weighted(
                100 - OVERSIZE_IN_HUNDRED, json.zip(Gens.of(0, 0, 0, 0, 0, 0, 1, 2),
                        RequestGenerator::bytes),
                OVERSIZE_IN_HUNDRED, SourceDSL.integers().between(OVER_BODY_LIMIT, OVER_BODY_LIMIT + 4096)
                        .map(n -> ("{\"a\":\"" + "x".repeat(n) + "\"}").getBytes(StandardCharsets.US_ASCII)));
        Gen<List<Header>> contentTypes = Gens.weighted(
                10, Gens.of(mediaTypes).map(RequestGenerator::contentType),
                1, Gens.just(List.of()),
                2, Gens.of(WRONG_MEDIA_TYPES).map(RequestGenerator::contentType),
                1, Gens.of(mediaTypes).map(media -> List.of(new Header("Content-Type", media),
                        new Header("Content-Type", "text/plain"))));
        return contentTypes.zip(bytes, Body::new);
    }

    /** A body on an operation that takes none: usually none, sometimes JSON or garbage anyway. */
    private static Gen<Body> unexpectedBody() {
        return Gens.weighted(8, Gens.just(new Body(List.of(), null)),
                2, Gens.of(WRONG_MEDIA_TYPES).zip(Hostile.jsonValues(),
                        (media, json) -> new Body(contentType(media), Wire.utf8(json))));
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
    private static Gen<String> objectBody(Schema<?> schema) {
        Map<String, Schema> properties = schema == null || schema.getProperties() == null ? Map.of()
                : schema.getProperties();
        return Gens.weighted(1, object(properties, false), 1, object(properties, true));
    }

    private static Gen<String> object(Map<String, Schema> properties, boolean dirty) {
        List<Gen<List<String>>> members = new ArrayList<>();
        properties.forEach((name, property) -> {
            Gen<String> value = dirty ? anyValue(property) : typedValue(property);
            String key = Hostile.quote(name, true) + ":";
            members.add(Gens.weighted(3, Gens.just(List.of()),
                    7, value.map(v -> List.of(key + v)),
                    dirty ? 1 : 0, Gens.lists(value, 2, 2).map(vs -> vs.stream().map(key::concat).toList())));
        });
        if (dirty) {
            Gen<String> unknownName = Gens.weighted(1, Gens.just("a"),
                    1, Hostile.jsonStrings(Hostile.text()).map(q -> q.substring(1, q.length() - 1)));
            members.add(Gens.weighted(6, Gens.just(List.of()),
                    3, Gens.lists(unknownName.zip(Hostile.jsonValues(),
                            (n, v) -> "\"" + n + "\":" + v), 1, 4),
                    1, SourceDSL.integers().between(60, 2000).map(n -> java.util.stream.IntStream
                            .range(0, n).mapToObj(i -> "\"m" + i + "\":null").toList())));
        }
        return Gens.all(members)
                .map(lists -> "{" + String.join(",", lists.stream().flatMap(List::stream).toList()) + "}");
    }

    /** A value of the property's documented type: one of its examples, or a generated one. */
    private static Gen<String> typedValue(Schema<?> property) {
        List<Object> examples = ApiOperation.examplesOf(property);
        Gen<String> typed = switch (String.valueOf(ApiOperation.typeOf(property))) {
            case "integer", "number" -> Hostile.numbers().assuming(n -> !n.isBlank());
            case "string" -> Hostile.jsonStrings(Hostile.text());
            case "boolean" -> Gens.of("true", "false");
            default -> examples.isEmpty() ? Hostile.jsonValues() : Gens.of(examples).map(RequestGenerator::json);
        };
        return examples.isEmpty() ? typed : Gens.weighted(
                1, Gens.of(examples).map(RequestGenerator::json), 1, typed);
    }

    /** Mostly a value of the property's type, else any JSON value or something that is almost one. */
    private static Gen<String> anyValue(Schema<?> property) {
        return Gens.weighted(1, typedValue(property), 1, Hostile.jsonValues());
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
