package dev.tally.testsupport;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Whether a Docker engine answers the {@code docker} CLI (which honours {@code DOCKER_HOST}), asked once per test
 * JVM. Without one, {@link RunsOnContainers} classes are skipped, unless {@code TALLY_REQUIRE_CONTAINERS=1}: then
 * they run and fail, so a CI machine whose engine did not come up can never pass by skipping.
 */
public final class ContainerEngine implements ExecutionCondition, BeforeAllCallback {

    public static final String REQUIRE_VARIABLE = "TALLY_REQUIRE_CONTAINERS";
    private static volatile Boolean answers;

    public static boolean answers() {
        Boolean known = answers;
        if (known == null) {
            known = Docker.run(Duration.ofSeconds(30), Map.of(), "docker", "info").exit() == 0;
            answers = known;
        }
        return known;
    }

    static boolean required() {
        return "1".equals(System.getenv(REQUIRE_VARIABLE));
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (answers() || required()) {
            return ConditionEvaluationResult.enabled("a Docker engine answers, or " + REQUIRE_VARIABLE + "=1");
        }
        return ConditionEvaluationResult.disabled("no Docker engine answers: container test skipped ("
                + REQUIRE_VARIABLE + "=1 makes this a failure)");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!answers()) {
            throw new IllegalStateException(REQUIRE_VARIABLE + "=1 but no Docker engine answers `docker info` "
                    + "(DOCKER_HOST=" + System.getenv("DOCKER_HOST") + "); .ci/containers starts one as root");
        }
    }
}
