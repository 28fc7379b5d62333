package dev.tally.session;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Session API calls for tests: the cookie is passed explicitly, so every test says which session it uses. */
final class Sessions {

    static final String COOKIE = "__Host-TALLY_SESSION";
    static final String CURRENT = "/api/v1/sessions/current";
    static final String MERGE_PATCH = "application/merge-patch+json";
    private static final Pattern ISSUED =
            Pattern.compile("__Host-TALLY_SESSION=([A-Za-z0-9_-]{22}); Path=/; HttpOnly; Secure; SameSite=Lax");

    private Sessions() {
    }

    /** Creates a session with the given attributes (JSON object text, or null for no body); returns its id. */
    static String create(String attributesJson) {
        // Without a body RestAssured would declare one as a form; an empty JSON body is what a client means.
        RequestSpecification request = given().contentType(ContentType.JSON);
        if (attributesJson != null) {
            request = request.body(attributesJson);
        }
        return idOf(request.when().post("/api/v1/sessions").then().statusCode(201).extract().response());
    }

    /** The id from a response's one session Set-Cookie header, with every attribute the cookie must carry. */
    static String idOf(Response response) {
        List<String> cookies = response.headers().getValues("Set-Cookie");
        assertEquals(1, cookies.size(), "one Set-Cookie header: " + cookies);
        Matcher m = ISSUED.matcher(cookies.get(0));
        assertTrue(m.matches(), "an issued session cookie: " + cookies.get(0));
        return m.group(1);
    }

    static RequestSpecification as(String sessionId) {
        RequestSpecification request = given();
        return sessionId == null ? request : request.cookie(COOKIE, sessionId);
    }

    static Response read(String sessionId) {
        return as(sessionId).when().get(CURRENT);
    }

    static Response patch(String sessionId, String json) {
        return as(sessionId).contentType(MERGE_PATCH).body(json).when().patch(CURRENT);
    }

    static Response visit(String sessionId) {
        return as(sessionId).when().post(CURRENT + "/visits");
    }

    /** {"a0": 0, "a1": 1, ...} with {@code count} attributes named {@code prefix + i}. */
    static String attributes(String prefix, int from, int count) {
        StringBuilder json = new StringBuilder("{");
        for (int i = from; i < from + count; i++) {
            if (i > from) {
                json.append(',');
            }
            json.append('"').append(prefix).append(i).append("\":").append(i);
        }
        return json.append('}').toString();
    }

    static int attributeCount(String sessionId) {
        Response response = read(sessionId);
        assertEquals(200, response.statusCode(), response.asString());
        java.util.Map<String, Object> attributes = response.jsonPath().getMap("attributes");
        assertNotNull(attributes);
        return attributes.size();
    }
}
