package dev.tally.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that needs a Docker engine: tagged {@code containers}, skipped with a one-line reason where no engine
 * answers, and failed instead when {@code TALLY_REQUIRE_CONTAINERS=1} (as CI sets it). See {@link ContainerEngine}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("containers")
@ExtendWith(ContainerEngine.class)
public @interface RunsOnContainers {
}
