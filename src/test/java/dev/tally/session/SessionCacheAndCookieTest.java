package dev.tally.session;

import static dev.tally.session.Sessions.CURRENT;
import static dev.tally.session.Sessions.as;
import static dev.tally.session.Sessions.attributes;
import static dev.tally.session.Sessions.create;
import static dev.tally.session.Sessions.patch;
import static dev.tally.session.Sessions.read;
import static dev.tally.session.Sessions.visit;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Session answers are never cached, whatever their status, and the Secure cookie carries the {@code __Host-}
 * prefix (its attributes are checked by {@link Sessions#idOf} in every test that creates a session).
 */
@QuarkusTest
class SessionCacheAndCookieTest {

    @Test
    void everySessionAnswerIncludingRefusalsIsNoStore() {
        String id = create("{\"a\":1}");
        Map<String, Response> answers = new LinkedHashMap<>();
        answers.put("create 201", given().contentType(ContentType.JSON).body("{}").post("/api/v1/sessions"));
        answers.put("read 200", read(id));
        answers.put("patch 200", patch(id, "{\"b\":2}"));
        answers.put("visit 200", visit(id));
        answers.put("patch 422", patch(id, attributes("x", 0, 65)));
        answers.put("patch 400", patch(id, "[1]"));
        answers.put("read 404", read(null));
        answers.put("visit 404", visit("x".repeat(22)));
        answers.put("delete 204", as(id).delete(CURRENT));
        answers.forEach((label, answer) -> {
            assertEquals(label.substring(label.length() - 3), Integer.toString(answer.statusCode()),
                    label + ": " + answer.asString());
            assertEquals("no-store", answer.header("Cache-Control"), label);
        });
    }

    /** A cookie without the prefix could have been set by a sibling subdomain or a plain-HTTP page: not ours. */
    @Test
    void aSessionIdInACookieWithoutThePrefixIsNotRead() {
        String id = create(null);
        given().cookie(SessionCookies.BASE_NAME, id).get(CURRENT).then().statusCode(404);
        read(id).then().statusCode(200);
    }
}
