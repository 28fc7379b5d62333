package dev.tally.session;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** With {@code tally.session.cookie-secure=false} (plain-HTTP local runs) the cookie has no prefix and no Secure. */
@QuarkusTest
@TestProfile(ShortLivedPlainSessions.class)
class PlainCookieTest {

    @Test
    void thePlainCookieIsNamedWithoutThePrefixAndIsTheOneRead() {
        Response created = given().contentType(ContentType.JSON).body("{}").post("/api/v1/sessions");
        created.then().statusCode(201);
        String setCookie = created.header("Set-Cookie");
        String id = created.getCookie(SessionCookies.BASE_NAME);
        assertEquals(SessionCookies.BASE_NAME + "=" + id + "; Path=/; HttpOnly; SameSite=Lax", setCookie);
        given().cookie(SessionCookies.BASE_NAME, id).get("/api/v1/sessions/current").then().statusCode(200);
        given().cookie(SessionCookies.SECURE_PREFIX + SessionCookies.BASE_NAME, id).get("/api/v1/sessions/current")
                .then().statusCode(404);
    }
}
