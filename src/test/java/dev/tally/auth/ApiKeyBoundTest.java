package dev.tally.auth;

import static dev.tally.testsupport.Problems.assertProblem;
import static dev.tally.testsupport.Problems.tally;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tally.testsupport.ApiKeys;
import dev.tally.testsupport.Unique;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code tally.auth.max-keys} bounds the keys: one more is a 409, and revoking one makes room. */
@QuarkusTest
@TestProfile(ApiKeyBoundTest.TwoKeys.class)
class ApiKeyBoundTest {

    /** Two keys at most, under a key prefix of its own so that other tests' keys do not count. */
    public static class TwoKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tally.auth.max-keys", "2", "tally.redis.key-prefix", Unique.name("bound") + ":");
        }
    }

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Test
    void theThirdKeyIsRefusedUntilOneIsRevoked() {
        ApiKeys keys = ApiKeys.at(management);
        String first = Unique.name("first");
        keys.create(first, "work");
        keys.create(Unique.name("second"), "work");
        String third = Unique.name("third");
        assertProblem(keys.post(ApiKeys.body(third, List.of("work"), null)), 409, tally("too-many-api-keys"));
        assertEquals(200, keys.revoke(first).statusCode());
        keys.create(third, "work");
    }
}
