package dev.tally.auth;

import java.util.Set;
import java.util.stream.Collectors;

import dev.tally.web.ProblemException;

/** The three refusals of authentication and authorization, each with its RFC 6750 {@code WWW-Authenticate}. */
final class Challenges {

    private static final String REALM = "Bearer realm=\"tally\"";

    private Challenges() {
    }

    /** 401: no key, on a route the anonymous caller may not use. */
    static ProblemException keyRequired(Set<Scope> needed) {
        return ProblemException.unauthorized("api-key-required", "This operation needs an API key with scope "
                + names(needed) + ": send Authorization: Bearer <key>", REALM);
    }

    /** 401: a key (or Authorization header) that is malformed, unknown, revoked or expired; never which. */
    static ProblemException invalidKey() {
        return ProblemException.unauthorized("invalid-api-key", "The Authorization header is not 'Bearer' and a "
                + "valid API key (unknown, revoked, expired or malformed)", REALM + ", error=\"invalid_token\"");
    }

    /** 403: a valid key without the scope. */
    static ProblemException insufficientScope(Set<Scope> needed) {
        return ProblemException.forbidden("insufficient-scope", "This API key lacks the scope " + names(needed)
                + " that this operation needs", REALM + ", error=\"insufficient_scope\", scope=\""
                + needed.stream().map(Scope::wire).collect(Collectors.joining(" ")) + "\"");
    }

    private static String names(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wire).collect(Collectors.joining(" or "));
    }
}
