package dev.tally.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.ws.rs.HttpMethod;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The table names exactly the operations the resources serve: none is forgotten (closed), none is stale. */
class RouteScopesTest {

    @Test
    void theTableListsExactlyTheServedOperations() {
        Set<String> served = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tally").stream()
                .filter(type -> type.isAnnotatedWith(jakarta.ws.rs.Path.class))
                .flatMap(type -> Arrays.stream(type.reflect().getDeclaredMethods()))
                .filter(RouteScopesTest::isOperation)
                .map(ScopeCheck::operation)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(served, RouteScopes.all().keySet());
    }

    @Test
    void everyScopeGrantsSomething() {
        Set<Scope> used = RouteScopes.all().values().stream().flatMap(Set::stream)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(Scope.values()), used);
    }

    private static boolean isOperation(Method method) {
        return Arrays.stream(method.getAnnotations())
                .anyMatch(annotation -> annotation.annotationType().isAnnotationPresent(HttpMethod.class));
    }
}
