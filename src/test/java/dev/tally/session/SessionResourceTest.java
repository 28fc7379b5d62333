package dev.tally.session;

import static dev.tally.session.Sessions.COOKIE;
import static dev.tally.session.Sessions.CURRENT;
import static dev.tally.session.Sessions.as;
import static dev.tally.session.Sessions.create;
import static dev.tally.session.Sessions.idOf;
import static dev.tally.session.Sessions.patch;
import static dev.tally.session.Sessions.read;
import static dev.tally.session.Sessions.visit;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.Http;
import io.quarkus.test.common.http.TestHTTPResource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** The session lifecycle: create, read, merge-patch, count visits, invalidate. */
@QuarkusTest
class SessionResourceTest {

    @TestHTTPResource("/")
    URI app;

    @Test
    void createAnswers201WithLocationAndAHardenedCookieAndNoIdInTheBody() {
        Instant before = Instant.now();
        Response response = given().contentType(ContentType.JSON).when().post("/api/v1/sessions");
        response.then().statusCode(201).contentType(ContentType.JSON)
                .header("Location", equalTo("/api/v1/sessions/current")); // relative, never from Host

        String setCookie = response.header("Set-Cookie");
        String id = idOf(response);
        List<String> parts = Arrays.stream(setCookie.split(";")).map(String::trim).toList();
        assertEquals(COOKIE + "=" + id, parts.get(0));
        Set<String> attributes = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        attributes.addAll(parts.subList(1, parts.size()));
        assertEquals(new TreeSet<>(Set.of("Path=/", "HttpOnly", "Secure", "SameSite=Lax")), new TreeSet<>(attributes),
                setCookie);
        assertEquals(16, Base64.getUrlDecoder().decode(id).length, "128 random bits");

        String body = response.asString();
        assertFalse(body.contains(id), "the id lives only in the cookie: " + body);
        Map<String, Object> view = response.jsonPath().getMap("$");
        assertEquals(Set.of("attributes", "visits", "createdAt", "expiresAt"), view.keySet());
        assertEquals(Map.of(), view.get("attributes"));
        assertEquals(0, view.get("visits"));
        Instant createdAt = Instant.parse((String) view.get("createdAt"));
        Instant expiresAt = Instant.parse((String) view.get("expiresAt"));
        assertFalse(createdAt.isBefore(before.minusSeconds(1)), "createdAt " + createdAt + " is now");
        assertFalse(createdAt.isAfter(Instant.now().plusSeconds(1)), "createdAt " + createdAt + " is now");
        assertEquals(Duration.ofMinutes(30), Duration.between(createdAt, expiresAt), "the configured TTL");
    }

    @Test
    void everySessionGetsAFreshRandomId() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ids.add(create(null));
        }
        assertEquals(20, ids.size());
    }

    @Test
    void createWithInitialAttributesAndReadThemBack() {
        String id = create("{\"theme\":\"dark\",\"n\":3,\"obj\":{\"a\":[1,2.5,null]},\"flag\":true,\"nothing\":null}");
        read(id).then().statusCode(200).contentType(ContentType.JSON)
                .body("attributes", aMapWithSize(4))
                .body("attributes.theme", equalTo("dark"))
                .body("attributes.n", equalTo(3))
                .body("attributes.obj.a[0]", equalTo(1))
                .body("attributes.obj.a[1]", equalTo(2.5f))
                .body("attributes.obj.a[2]", nullValue())
                .body("attributes.flag", equalTo(true))
                .body("visits", equalTo(0));
    }

    @Test
    void attributeValuesRoundTripExactly() {
        String json = "{\"text\":\"ü \\n \\u0000 \\\" 😀\",\"big\":12345678901234567890,\"neg\":-0.5,"
                + "\"empty\":\"\",\"list\":[],\"obj\":{}}";
        String id = create(json);
        Response read = read(id);
        read.then().statusCode(200);
        assertEquals("ü \n \u0000 \" 😀", read.jsonPath().getString("attributes.text"));
        assertTrue(read.asString().contains("\"big\":12345678901234567890"), read.asString());
        read.then().body("attributes.neg", equalTo(-0.5f))
                .body("attributes.empty", equalTo(""))
                .body("attributes.list", equalTo(List.of()))
                .body("attributes.obj", equalTo(Map.of()));
    }

    @Test
    void attributesNamedLikeMetadataCannotTouchIt() {
        String id = create("{\"m:visits\":\"x\",\"m:created\":\"y\",\"a:z\":1}");
        visit(id).then().statusCode(200).body("visits", equalTo(1));
        read(id).then().statusCode(200)
                .body("visits", equalTo(1))
                .body("attributes", equalTo(Map.of("m:visits", "x", "m:created", "y", "a:z", 1)));
        patch(id, "{\"m:visits\":null}").then().statusCode(200).body("visits", equalTo(1))
                .body("attributes", aMapWithSize(2));
    }

    @Test
    void createWithAnEmptyObjectOrNoBodyHasNoAttributes() {
        read(create("{}")).then().statusCode(200).body("attributes", aMapWithSize(0));
        read(create(null)).then().statusCode(200).body("attributes", aMapWithSize(0));
    }

    @Test
    void createWithoutBodyOrContentTypeIs201() {
        HttpResponse<String> response = Http.at(app).post("/api/v1/sessions", null);
        assertEquals(201, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Set-Cookie").orElse("").startsWith(COOKIE + "="));
    }

    @Test
    void readShowsTheSameSessionAsCreateDid() {
        Response created = given().contentType(ContentType.JSON).body("{\"k\":\"v\"}").when().post("/api/v1/sessions");
        String id = idOf(created);
        Instant createdAt = Instant.parse(created.jsonPath().getString("createdAt"));
        Response read = read(id);
        read.then().statusCode(200)
                .body("attributes.k", equalTo("v"))
                .header("Set-Cookie", nullValue());
        // One session has one creation time, whichever response shows it. Found failing: create answers with
        // nanoseconds, reads with the milliseconds that were stored.
        assertEquals(createdAt, Instant.parse(read.jsonPath().getString("createdAt")));
    }

    @Test
    void mergePatchSetsReplacesAndDeletesAttributes() {
        String id = create("{\"keep\":1,\"replace\":{\"deep\":{\"x\":1,\"y\":2}},\"drop\":\"me\"}");
        patch(id, "{\"replace\":{\"deep\":{\"x\":9}},\"drop\":null,\"add\":[\"new\"],\"absent\":null}")
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("attributes", aMapWithSize(3))
                .body("attributes.keep", equalTo(1))
                // A value replaces the attribute whole: the old "y" is gone.
                .body("attributes.replace.deep", equalTo(Map.of("x", 9)))
                .body("attributes.add", equalTo(List.of("new")));
        read(id).then().statusCode(200)
                .body("attributes", aMapWithSize(3))
                .body("attributes.drop", nullValue())
                .body("attributes.replace.deep", equalTo(Map.of("x", 9)));
    }

    @Test
    void patchAcceptsPlainJsonToo() {
        String id = create("{\"a\":1}");
        as(id).contentType(ContentType.JSON).body("{\"a\":null,\"b\":\"two\"}").when().patch(CURRENT)
                .then().statusCode(200).body("attributes", equalTo(Map.of("b", "two")));
    }

    @Test
    void anEmptyPatchChangesNothing() {
        String id = create("{\"a\":1}");
        patch(id, "{}").then().statusCode(200).body("attributes", equalTo(Map.of("a", 1)));
    }

    @Test
    void patchWithAnotherMediaTypeIs415() {
        String id = create("{\"a\":1}");
        assertProblem(as(id).contentType("text/plain").body("{\"a\":2}").when().patch(CURRENT), 415,
                "about:blank");
        read(id).then().body("attributes.a", equalTo(1));
    }

    @Test
    void visitsCountUpAndShowInTheSession() {
        String id = create(null);
        visit(id).then().statusCode(200).contentType(ContentType.JSON).body("visits", equalTo(1));
        visit(id).then().statusCode(200).body("visits", equalTo(2));
        visit(id).then().statusCode(200).body("visits", equalTo(3));
        read(id).then().statusCode(200).body("visits", equalTo(3));
        patch(id, "{\"x\":1}").then().statusCode(200).body("visits", equalTo(3));
    }

    @Test
    void deleteAnswers204AndClearsTheCookieThenTheSessionIsGone() {
        String id = create("{\"a\":1}");
        Response deleted = as(id).when().delete(CURRENT);
        deleted.then().statusCode(204).body(emptyString());
        String clearing = deleted.header("Set-Cookie");
        assertTrue(clearing.startsWith(COOKIE + "=;"), clearing);
        assertTrue(clearing.contains("Max-Age=0"), clearing);
        assertTrue(clearing.contains("Path=/"), clearing);
        assertTrue(clearing.contains("HttpOnly"), clearing);

        assertProblem(read(id), 404, tally("no-session"));
        assertProblem(visit(id), 404, tally("no-session"));
        assertProblem(patch(id, "{\"a\":2}"), 404, tally("no-session"));
    }

    @Test
    void deleteWithoutASessionIsStill204AndClearsTheCookie() {
        given().when().delete(CURRENT).then().statusCode(204).header("Set-Cookie", org.hamcrest.Matchers
                .containsString("Max-Age=0"));
        as("AAAAAAAAAAAAAAAAAAAAAA").when().delete(CURRENT).then().statusCode(204);
    }

    @Test
    void creatingWhileHoldingASessionReplacesIt() {
        String old = create("{\"who\":\"old\"}");
        Response replaced = as(old).contentType(ContentType.JSON).body("{\"who\":\"new\"}").when()
                .post("/api/v1/sessions");
        replaced.then().statusCode(201);
        String fresh = idOf(replaced);
        assertNotEquals(old, fresh, "never adopts the id the client offers");
        assertProblem(read(old), 404, tally("no-session"));
        read(fresh).then().statusCode(200).body("attributes.who", equalTo("new"));
    }
}
