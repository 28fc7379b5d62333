package dev.tally.auth;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import io.vertx.ext.web.RoutingContext;

/**
 * The scope decision, a REST-layer filter because that is where the route is known: the operation RESTEasy
 * matched (its resource method), not a second reading of the path that could disagree with RESTEasy's about
 * trailing slashes or encodings. The caller comes from {@link Authentication}. A resource method missing from
 * {@link RouteScopes} is refused to everyone: a new route is closed until the table says otherwise.
 */
public class ScopeCheck {

    private final Map<Method, Optional<Set<Scope>>> needed = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public void check(SimpleResourceInfo resource, RoutingContext ctx) {
        if (resource == null || resource.getResourceClass() == null) {
            return; // nothing matched: the 404 or 405 reveals and changes nothing
        }
        Method method = resourceMethod(resource);
        Optional<Set<Scope>> listed = needed.computeIfAbsent(method, m -> RouteScopes.of(operation(m)));
        if (listed.isEmpty()) {
            throw Challenges.insufficientScope(Set.of()); // not in the table: no scope grants it yet
        }
        Set<Scope> scopes = listed.get();
        if (scopes.isEmpty()) {
            return;
        }
        Caller caller = Caller.of(ctx);
        if (scopes.stream().anyMatch(caller::has)) {
            return;
        }
        throw caller.isAnonymous() ? Challenges.keyRequired(scopes) : Challenges.insufficientScope(scopes);
    }

    private static Method resourceMethod(SimpleResourceInfo resource) {
        try {
            return resource.getResourceClass().getMethod(resource.getMethodName(), resource.parameterTypes());
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("the matched resource method exists", e);
        }
    }

    /** "GET /api/v1/counters/{name}": the HTTP method and the joined {@code @Path} values of class and method. */
    static String operation(Method method) {
        String http = null;
        for (var annotation : method.getAnnotations()) {
            HttpMethod marker = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (marker != null) {
                http = marker.value();
            }
        }
        Path base = method.getDeclaringClass().getAnnotation(Path.class);
        Path sub = method.getAnnotation(Path.class);
        String path = ("/" + (base == null ? "" : base.value()) + "/" + (sub == null ? "" : sub.value()))
                .replaceAll("/+", "/");
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return http + " " + path;
    }
}
