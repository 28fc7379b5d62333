package dev.tally.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;

/**
 * Which {@code dev.tally} package may import which (production code only). The foundation ({@code runtime},
 * {@code redis}, {@code web}) never imports a feature; features use the foundation and only the few other
 * features listed here, each for a reason; {@code pipeline} wires every stage and nothing imports it. A new
 * package, a new edge or a cycle fails this test until it is added here on purpose.
 */
class PackageDependenciesTest {

    private static final JavaClasses TALLY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tally");

    private static LayeredArchitecture packages() {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitecture()
                // the foundation
                .layer("runtime").definedBy("dev.tally.runtime..")
                .layer("redis").definedBy("dev.tally.redis..")
                .layer("web").definedBy("dev.tally.web..")
                // the features
                .layer("auth").definedBy("dev.tally.auth..")
                .layer("hello").definedBy("dev.tally.hello..")
                .layer("guard").definedBy("dev.tally.guard..")
                .layer("counter").definedBy("dev.tally.counter..")
                .layer("session").definedBy("dev.tally.session..")
                .layer("job").definedBy("dev.tally.job..")
                .layer("live").definedBy("dev.tally.live..")
                .layer("work").definedBy("dev.tally.work..")
                .layer("ops").definedBy("dev.tally.ops..")
                // the wiring
                .layer("pipeline").definedBy("dev.tally.pipeline..")

                .whereLayer("runtime").mayNotAccessAnyLayer()
                .whereLayer("redis").mayOnlyAccessLayers("runtime")
                .whereLayer("web").mayOnlyAccessLayers("redis", "runtime")
                // Who is calling and what it may do: used by the features that keep per-caller records.
                .whereLayer("auth").mayOnlyAccessLayers("web", "redis", "runtime")
                .whereLayer("hello").mayNotAccessAnyLayer()
                .whereLayer("guard").mayOnlyAccessLayers("web", "redis", "runtime")
                // Resources take their deadline from guard.
                // Idempotency keys are the caller's own (auth).
                .whereLayer("counter").mayOnlyAccessLayers("web", "redis", "runtime", "guard", "auth")
                .whereLayer("session").mayOnlyAccessLayers("web", "redis", "runtime", "guard")
                // A job belongs to the caller that submitted it (auth).
                .whereLayer("job").mayOnlyAccessLayers("web", "redis", "runtime", "guard", "auth")
                .whereLayer("work").mayOnlyAccessLayers("web", "redis", "runtime", "guard")
                // A live feed is of a counter: its name rules, store and state.
                .whereLayer("live").mayOnlyAccessLayers("web", "redis", "runtime", "counter")
                // A replica's snapshot shows its work pools' bounds.
                .whereLayer("ops").mayOnlyAccessLayers("web", "redis", "runtime", "work")
                .whereLayer("pipeline").mayNotBeAccessedByAnyLayer();
    }

    @Test
    void packagesImportOnlyInTheAllowedDirections() {
        packages().check(TALLY);
    }

    /** Redundant with the table today; it keeps a cycle out even if someone widens the table carelessly. */
    @Test
    void noPackageCycle() {
        slices().matching("dev.tally.(*)..").should().beFreeOfCycles().check(TALLY);
    }
}
