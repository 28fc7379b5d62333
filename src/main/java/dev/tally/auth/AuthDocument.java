package dev.tally.auth;

import java.util.Set;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import dev.tally.web.ProblemResponses;
import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * The API document's security, from {@link RouteScopes}: one bearer scheme, and on every operation that needs a
 * scope its requirement (the scopes of which one grants it) and its 401 and 403 answers. Open operations keep an
 * empty requirement, which says "no credentials needed". Every operation may answer 401 {@code invalid-api-key}:
 * a key that is presented is checked everywhere; and 429 {@code rate-limited}: every caller has a quota.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class AuthDocument implements OASFilter {

    static final String SCHEME = "apiKey";

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        api.getComponents().addSecurityScheme(SCHEME, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("tally.<id>.<secret>")
                .description("An API key (docs/security.md): `Authorization: Bearer <key>`. Without one, a caller "
                        + "has only `tally.auth.anonymous-scopes` (by default `counters:read`)."));
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths().getPathItems().forEach((path, item) -> item.getOperations().forEach((method, operation) ->
                RouteScopes.of(method.name() + " " + path).ifPresent(scopes -> describe(path, operation, scopes))));
    }

    private static void describe(String path, Operation operation, Set<Scope> scopes) {
        // Every app operation passes the quota (auth/Quota), whoever calls.
        answer(path, operation, 429, "`rate-limited`: over the caller's quota of requests per second (per API key, "
                + "or per client address when anonymous)");
        if (scopes.isEmpty()) {
            operation.addSecurityRequirement(OASFactory.createSecurityRequirement());
            answer(path, operation, 401, "`invalid-api-key`: an Authorization header was sent, and it is not a "
                    + "valid API key");
            return;
        }
        // Alternatives: one requirement per scope, any of which grants the operation.
        scopes.stream().sorted().forEach(scope -> operation.addSecurityRequirement(
                OASFactory.createSecurityRequirement().addScheme(SCHEME, scope.wire())));
        String names = String.join(" or ", scopes.stream().sorted().map(Scope::wire).toList());
        answer(path, operation, 401, "`api-key-required`: no API key, and anonymous callers lack " + names
                + "; `invalid-api-key`: the key is malformed, unknown, revoked or expired");
        answer(path, operation, 403, "`insufficient-scope`: the API key lacks " + names);
    }

    private static void answer(String path, Operation operation, int status, String description) {
        APIResponse response = OASFactory.createAPIResponse().description(description);
        ProblemResponses.complete(path, status, response);
        operation.getResponses().addAPIResponse(Integer.toString(status), response);
    }
}
