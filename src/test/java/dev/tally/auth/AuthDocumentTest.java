package dev.tally.auth;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The API document says what {@link RouteScopes} says: one bearer scheme, and per operation its scopes and refusals. */
@QuarkusTest
class AuthDocumentTest {

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Test
    void everyOperationCarriesItsScopesAndItsRefusals() throws IOException {
        JsonNode document = new ObjectMapper().readTree(given().get(management.resolve("/q/openapi?format=json"))
                .then().statusCode(200).extract().asString());
        JsonNode scheme = document.at("/components/securitySchemes/" + AuthDocument.SCHEME);
        assertEquals("http", scheme.path("type").asText());
        assertEquals("bearer", scheme.path("scheme").asText());
        assertEquals(1, document.at("/components/securitySchemes").size(), "one scheme");

        RouteScopes.all().forEach((operation, scopes) -> {
            String[] parts = operation.split(" ");
            JsonNode node = document.path("paths").path(parts[1]).path(parts[0].toLowerCase());
            Set<String> documented = new TreeSet<>();
            node.path("security").forEach(requirement -> requirement.path(AuthDocument.SCHEME)
                    .forEach(scope -> documented.add(scope.asText())));
            Set<String> expected = new TreeSet<>(scopes.stream().map(Scope::wire).toList());
            assertEquals(expected, documented, operation);
            assertTrue(node.path("responses").has("401"), operation + " documents 401");
            assertEquals(!scopes.isEmpty(), node.path("responses").has("403"), operation + " documents 403");
            String refusals = node.path("responses").path("401").path("content").toString();
            assertTrue(refusals.contains("urn:tally:problem:invalid-api-key"), operation + ": " + refusals);
        });
    }
}
