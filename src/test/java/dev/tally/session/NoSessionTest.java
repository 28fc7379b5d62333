package dev.tally.session;

import static dev.tally.session.Sessions.CURRENT;
import static dev.tally.session.Sessions.MERGE_PATCH;
import static dev.tally.session.Sessions.as;
import static dev.tally.session.Sessions.create;
import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * "No session" looks the same whatever the reason: no cookie, a malformed cookie, an unknown id, an invalidated
 * one. The answers differ only in their request id, so a client learns nothing about which ids exist.
 */
@QuarkusTest
class NoSessionTest {

    /** Cookie values; null means no cookie at all. */
    private static Map<String, String> callers() {
        String invalidated = create("{\"a\":1}");
        as(invalidated).when().delete(CURRENT).then().statusCode(204);
        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("no cookie", null);
        callers.put("unknown well-formed id", "AAAAAAAAAAAAAAAAAAAAAA");
        callers.put("invalidated id", invalidated);
        callers.put("too short", "abc");
        callers.put("too long", "A".repeat(23));
        callers.put("bad characters", "AAAAAAAAAAAAAAAAAAAAA+");
        callers.put("path traversal", "..%2F..%2Fetc%2Fpasswd");
        callers.put("hash tag", "{s:AAAAAAAAAAAAAAAAAA}");
        callers.put("empty", "");
        return callers;
    }

    private static void assertAllIdentical(Function<String, Response> call) {
        JsonNode reference = null;
        for (Map.Entry<String, String> caller : callers().entrySet()) {
            JsonNode problem = assertProblem(call.apply(caller.getValue()), 404, tally("no-session"));
            ((ObjectNode) problem).remove("requestId");
            if (reference == null) {
                reference = problem;
            } else {
                assertEquals(reference, problem, "the answer for '" + caller.getKey() + "'");
            }
        }
    }

    @Test
    void readIsTheSame404ForEveryKindOfMissingSession() {
        assertAllIdentical(cookie -> as(cookie).when().get(CURRENT));
    }

    @Test
    void patchIsTheSame404ForEveryKindOfMissingSession() {
        assertAllIdentical(cookie -> as(cookie).contentType(MERGE_PATCH).body("{\"a\":1}").when().patch(CURRENT));
    }

    @Test
    void visitIsTheSame404ForEveryKindOfMissingSession() {
        assertAllIdentical(cookie -> as(cookie).when().post(CURRENT + "/visits"));
    }
}
