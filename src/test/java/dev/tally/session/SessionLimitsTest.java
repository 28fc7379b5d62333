package dev.tally.session;

import static dev.tally.session.Sessions.CURRENT;
import static dev.tally.session.Sessions.as;
import static dev.tally.session.Sessions.attributeCount;
import static dev.tally.session.Sessions.attributes;
import static dev.tally.session.Sessions.create;
import static dev.tally.session.Sessions.patch;
import static dev.tally.session.Sessions.read;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** At most 64 attributes of at most 4096 bytes of JSON each, with valid names; a refused change changes nothing. */
@QuarkusTest
class SessionLimitsTest {

    private static Response createWith(String json) {
        return given().contentType(ContentType.JSON).body(json).when().post("/api/v1/sessions");
    }

    private static String jsonString(String content) {
        return "\"" + content + "\"";
    }

    @Test
    void sixtyFourAttributesOnCreateAreFineSixtyFiveAre422() {
        String id = create(attributes("a", 0, 64));
        assertEquals(64, attributeCount(id));
        JsonNode problem = assertProblem(createWith(attributes("a", 0, 65)), 422, tally("too-many-attributes"));
        assertTrue(problem.get("detail").asText().contains("64"), problem.toString());
    }

    @Test
    void nullsOnCreateDoNotCountTowardsTheLimit() {
        String json = attributes("a", 0, 64).replace("}", ",\"x\":null,\"y\":null}");
        assertEquals(64, attributeCount(create(json)));
    }

    @Test
    void aRefusedCreateNeitherIssuesACookieNorDropsTheCurrentSession() {
        String held = create("{\"keep\":true}");
        Response refused = as(held).contentType(ContentType.JSON).body(attributes("a", 0, 65)).when()
                .post("/api/v1/sessions");
        assertProblem(refused, 422, tally("too-many-attributes"));
        assertEquals(null, refused.header("Set-Cookie"));
        read(held).then().statusCode(200).body("attributes.keep", equalTo(true));
    }

    @Test
    void patchesThatWouldExceedSixtyFourAre422AndChangeNothing() {
        String id = create(attributes("a", 0, 60));
        patch(id, attributes("a", 60, 4)).then().statusCode(200).body("attributes", aMapWithSize(64));

        // One more new attribute, together with changes to existing ones: all refused.
        String overLimit = "{\"a0\":\"changed\",\"a1\":null,\"a2\":null,\"n1\":1,\"n2\":2,\"n3\":3}";
        JsonNode problem = assertProblem(patch(id, overLimit), 422, tally("too-many-attributes"));
        assertTrue(problem.get("detail").asText().contains("65"), problem.toString());
        read(id).then().statusCode(200)
                .body("attributes", aMapWithSize(64))
                .body("attributes.a0", equalTo(0))
                .body("attributes.a1", equalTo(1));
    }

    @Test
    void replacingAndSwappingAttributesAtTheLimitIsFine() {
        String id = create(attributes("a", 0, 64));
        patch(id, "{\"a0\":\"replaced\",\"a1\":null,\"b1\":1,\"nope\":null}").then().statusCode(200)
                .body("attributes", aMapWithSize(64))
                .body("attributes.a0", equalTo("replaced"))
                .body("attributes.b1", equalTo(1));
    }

    @Test
    void onePatchMayReplaceEveryAttributeButNameNoMoreThanTwiceTheLimit() {
        String id = create(attributes("a", 0, 64));
        // 128 fields: every attribute deleted, 64 new ones set. The largest change a session can need.
        String replaceAll = attributes("a", 0, 64).replaceAll(":\\d+", ":null").replace("}", ",")
                + attributes("b", 0, 64).substring(1);
        patch(id, replaceAll).then().statusCode(200).body("attributes", aMapWithSize(64))
                .body("attributes.b63", equalTo(63));

        String oneMore = replaceAll.replace("}", ",\"c\":null}");
        JsonNode problem = assertProblem(patch(id, oneMore), 422, tally("too-many-changes"));
        assertTrue(problem.get("detail").asText().contains("128"), problem.toString());
        read(id).then().statusCode(200).body("attributes", aMapWithSize(64)).body("attributes.b0", equalTo(0));
    }

    /** The request of issue 19: 36,000 nulls under the body limit held Redis 0.1 s. Now refused before Redis. */
    @Test
    void aPatchOfThousandsOfNullsIsRefusedBeforeItReachesRedis() {
        String id = create("{\"keep\":1}");
        StringBuilder nulls = new StringBuilder("{");
        for (int i = 0; i < 36_000; i++) {
            nulls.append(i == 0 ? "" : ",").append("\"n").append(i).append("\":null");
        }
        String body = nulls.append('}').toString();
        assertTrue(body.length() < 512 * 1024, "under the body limit: " + body.length());
        assertProblem(patch(id, body), 422, tally("too-many-changes"));
        assertProblem(createWith(body), 422, tally("too-many-changes"));
        read(id).then().statusCode(200).body("attributes", aMapWithSize(1));
    }

    @Test
    void aValueOf4096BytesIsFineOneMoreByteIs422() {
        // Measured as UTF-8 JSON text: the two quotes count.
        String atLimit = jsonString("v".repeat(4094));
        String overLimit = jsonString("v".repeat(4095));
        String id = create("{\"big\":" + atLimit + "}");
        read(id).then().statusCode(200).body("attributes.big.length()", equalTo(4094));

        JsonNode problem = assertProblem(createWith("{\"big\":" + overLimit + "}"), 422,
                tally("attribute-too-large"));
        assertTrue(problem.get("detail").asText().contains("big"), problem.toString());

        assertProblem(patch(id, "{\"small\":1,\"big\":" + overLimit + "}"), 422, tally("attribute-too-large"));
        read(id).then().statusCode(200).body("attributes", aMapWithSize(1))
                .body("attributes.big.length()", equalTo(4094));
    }

    @Test
    void theSizeLimitCountsUtf8Bytes() {
        // "é" is two bytes in UTF-8: 2047 of them plus quotes are 4096 bytes, 2048 are 4098.
        String id = create("{\"e\":" + jsonString("é".repeat(2047)) + "}");
        read(id).then().statusCode(200).body("attributes.e.length()", equalTo(2047));
        assertProblem(createWith("{\"e\":" + jsonString("é".repeat(2048)) + "}"), 422, tally("attribute-too-large"));
    }

    @Test
    void aLargeObjectValueCountsWhole() {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            members.add("\"k" + i + "\":" + i);
        }
        assertProblem(createWith("{\"obj\":{" + String.join(",", members) + "}}"), 422, tally("attribute-too-large"));
    }

    @Test
    void badAttributeNamesAre400WithEachListed() {
        String longName = "n".repeat(129);
        Response response = createWith("{\"ok\":1,\"bad name\":1,\"\":2,\"" + longName + "\":3,\"{x}\":4}");
        JsonNode problem = assertProblem(response, 400, tally("invalid-input"));
        List<String> errors = new ArrayList<>();
        problem.get("errors").forEach(error -> errors.add(error.asText()));
        assertEquals(4, errors.size(), problem.toString());
        assertTrue(errors.contains("bad name"), errors.toString());
        assertTrue(errors.contains(""), errors.toString());
        assertTrue(errors.contains("{x}"), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.startsWith("nnnn") && e.length() < 129), "long names shortened");

        String id = create("{\"a\":1}");
        JsonNode patchProblem = assertProblem(patch(id, "{\"b\":2,\"bad name\":null}"), 400, tally("invalid-input"));
        assertEquals("bad name", patchProblem.get("errors").get(0).asText());
        read(id).then().body("attributes", equalTo(Map.of("a", 1)));
    }

    @Test
    void aNameOf128CharactersIsFine() {
        String name = "n".repeat(128);
        read(create("{\"" + name + "\":1}")).then().statusCode(200).body("attributes", aMapWithSize(1));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "[]", "[{\"a\":1}]", "5", "\"text\"", "true", "null" })
    void aPatchBodyThatIsNotAnObjectIs400(String body) {
        String id = create("{\"a\":1}");
        assertProblem(patch(id, body), 400, tally("invalid-attributes"));
        read(id).then().body("attributes", equalTo(Map.of("a", 1)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "[]", "5", "\"text\"", "true" })
    void aCreateBodyThatIsNotAnObjectIs400(String body) {
        assertProblem(createWith(body), 400, tally("invalid-attributes"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = { "{\"a\":", "{a:1}", "{\"a\":1} trailing", "{\"a\":1,}" })
    void malformedJsonIs400(String body) {
        assertProblem(createWith(body), 400, tally("malformed-json"));
        String id = create("{\"a\":1}");
        assertProblem(patch(id, body), 400, tally("malformed-json"));
        read(id).then().body("attributes", equalTo(Map.of("a", 1)));
        assertProblem(as(id).contentType(ContentType.JSON).body(body).when().patch(CURRENT), 400,
                tally("malformed-json"));
    }
}
