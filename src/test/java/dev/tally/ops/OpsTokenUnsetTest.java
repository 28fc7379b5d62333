package dev.tally.ops;

import static dev.tally.ops.OpsAccessTest.OPEN;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import dev.tally.ops.ManagementRoutes.Answer;
import dev.tally.ops.ManagementRoutes.Call;
import dev.tally.testsupport.OpsToken;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A replica started without an ops token never opens up: every route that needs the token refuses every request,
 * with or without one, with a 403 problem that names the missing configuration. The health probes, the API
 * description and the console's shell stay open; and here {@code /q/metrics} is opened for a scraper
 * ({@code tally.ops.metrics-open}), so it answers without a token.
 */
@QuarkusTest
@TestProfile(OpsTokenUnsetTest.NoTokenOpenMetrics.class)
class OpsTokenUnsetTest {

    public static class NoTokenOpenMetrics implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Both spellings: the test profile's own line in application.properties must not win either.
            return Map.of("tally.ops.token", "", "%test.tally.ops.token", "", "tally.ops.metrics-open", "true");
        }
    }

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    ManagementRoutes routes;

    @Inject
    OpsSettings settings;

    @Test
    void theReplicaHasNoToken() {
        assertTrue(settings.token().isEmpty(), "the profile leaves the token unset: " + settings.token());
    }

    @Test
    void everyClosedRouteRefusesEveryRequestAndTheOpenOnesAnswer() {
        Call metrics = new Call("GET", "/q/metrics");
        List<Executable> checks = new ArrayList<>();
        for (Call call : routes.calls()) {
            if (OPEN.test(call) || call.equals(metrics)) {
                checks.add(() -> OpsAccessTest.assertServed(call, ManagementRoutes.send(management, call, null),
                        "no token"));
                continue;
            }
            for (String token : new String[] { null, OpsToken.generate(), "" }) {
                checks.add(() -> {
                    Answer answer = ManagementRoutes.send(management, call, token);
                    String where = call + " with token " + token;
                    assertEquals(403, answer.status(), where + ": " + answer.body());
                    OpsAccessTest.assertProblemOf(where, answer, "ops-token-not-configured");
                    assertTrue(answer.body().contains("TALLY_OPS_TOKEN"), where + ": names the setting");
                    OpsAccessTest.assertOpsHeaders(call, answer);
                });
            }
        }
        assertAll(checks);
    }
}
