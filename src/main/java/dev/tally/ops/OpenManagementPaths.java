package dev.tally.ops;

import java.util.Set;

import io.vertx.core.http.HttpMethod;

/**
 * What the management port answers without the ops token; everything else, {@code /ops/} and routes added later
 * included, needs it (deny by default: a new route is closed until it is listed here on purpose). Read-only
 * requests only ({@code GET}, {@code HEAD}), matched on the normalized path the router matches too.
 * <ul>
 * <li>the health probes ({@code /q/health} and below): kubelets and Compose health checks carry no token;
 * <li>the OpenAPI document and Swagger UI: they describe the public app API, which Nginx serves to anyone;
 * nothing of the management port or of any data is in them;
 * <li>the ops console's shell ({@code /ops/} and its script and stylesheet): static files with no data; every
 * figure the page shows is fetched with the token;
 * <li>{@code /q/metrics} only when {@code tally.ops.metrics-open} is set, for a scraper that carries no token.
 * </ul>
 */
final class OpenManagementPaths {

    static final String HEALTH = "/q/health";
    static final String METRICS = "/q/metrics";
    static final String SWAGGER_UI = "/q/swagger-ui";
    static final Set<String> OPENAPI = Set.of("/q/openapi", "/q/openapi.json", "/q/openapi.yaml", "/q/openapi.yml");
    /** "/ops" too: Vert.x serves the console's "/ops/" route for it. */
    static final Set<String> CONSOLE_SHELL = Set.of("/ops", "/ops/", OpsConsole.SCRIPT, OpsConsole.STYLESHEET);

    private final boolean metricsOpen;

    OpenManagementPaths(boolean metricsOpen) {
        this.metricsOpen = metricsOpen;
    }

    boolean isOpen(HttpMethod method, String path) {
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            return false;
        }
        return within(path, HEALTH) || within(path, SWAGGER_UI) || OPENAPI.contains(path)
                || CONSOLE_SHELL.contains(path) || (metricsOpen && path.equals(METRICS));
    }

    /** {@code root} itself or a path below it, never a sibling that merely starts alike ({@code /q/healthz}). */
    private static boolean within(String path, String root) {
        return path.equals(root) || path.startsWith(root + "/");
    }
}
