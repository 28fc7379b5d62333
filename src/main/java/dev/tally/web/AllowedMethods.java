package dev.tally.web;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

/**
 * Answers "which methods does this path accept?" for the {@code Allow} header that RFC 9110 requires on a 405.
 * The REST layer raises 405 without it, so the table is read once from the resource classes' own annotations:
 * it cannot drift from the routes.
 */
@Singleton
public class AllowedMethods {

    private record Route(Pattern path, String method) {
    }

    private final List<Route> routes = new ArrayList<>();

    public AllowedMethods(BeanManager beans) {
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Path root = bean.getBeanClass().getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            for (Method method : bean.getBeanClass().getMethods()) {
                httpMethod(method).ifPresent(http -> routes.add(new Route(
                        template(root.value(), method.getAnnotation(Path.class)), http)));
            }
        }
    }

    /** The {@code Allow} value for a path, or empty when no resource serves it. */
    public Optional<String> forPath(String path) {
        TreeSet<String> allowed = new TreeSet<>();
        routes.stream().filter(route -> route.path().matcher(path).matches()).forEach(route -> allowed.add(route.method()));
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        return allowed.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", allowed));
    }

    private static Optional<String> httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return Optional.of(http.value());
            }
        }
        return Optional.empty();
    }

    /** "/api/v1/counters" + "{name}/increment" becomes a regex where each {param} is one path segment. */
    private static Pattern template(String root, Path sub) {
        String joined = "/" + root + "/" + (sub == null ? "" : sub.value());
        String normalized = joined.replaceAll("/+", "/");
        if (normalized.length() > 1 && normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        StringBuilder regex = new StringBuilder();
        for (String part : normalized.split("(?=\\{)|(?<=\\})")) {
            regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
