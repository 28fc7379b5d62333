package dev.tally.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * Tally's beans are {@code @Singleton}, not {@code @ApplicationScoped}: a call on an application-scoped bean goes
 * through its client proxy, which looks the instance up in the application context on every call, and the request
 * path makes dozens of such calls (see docs/design-notes.md, "Bean scopes"). None of Tally's beans needs what the
 * proxy gives (lazy creation, a dependency cycle, a mock swapped in by a test).
 */
class BeanScopesTest {

    private static final JavaClasses TALLY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tally");

    @Test
    void noBeanClassIsApplicationScoped() {
        noClasses().should().beAnnotatedWith(ApplicationScoped.class).check(TALLY);
    }
}
