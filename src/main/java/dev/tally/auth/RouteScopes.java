package dev.tally.auth;

import static dev.tally.auth.Scope.COUNTERS_ADMIN;
import static dev.tally.auth.Scope.COUNTERS_READ;
import static dev.tally.auth.Scope.COUNTERS_WRITE;
import static dev.tally.auth.Scope.JOBS_ADMIN;
import static dev.tally.auth.Scope.JOBS_SUBMIT;
import static dev.tally.auth.Scope.WORK;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who may do what: every operation of the app port (as the OpenAPI document names it) and the scopes of which
 * any one grants it. An empty set is open to everyone: {@code GET /}, and sessions, which a browser holds by
 * cookie (a session is its holder's own; there is nothing of another caller's to reach). The live feed
 * ({@code WS /api/v1/counters/{name}/live}) is not a REST operation and is open too. docs/security.md shows this
 * table; {@code auth/RouteScopesTest} holds it to the served operations.
 */
public final class RouteScopes {

    private static final Set<Scope> OPEN = Set.of();

    private static final Map<String, Set<Scope>> TABLE = new TreeMap<>(Map.ofEntries(
            Map.entry("GET /", OPEN),
            Map.entry("GET /api/v1/counters/{name}", Set.of(COUNTERS_READ)),
            Map.entry("POST /api/v1/counters/{name}/increment", Set.of(COUNTERS_WRITE)),
            Map.entry("DELETE /api/v1/counters/{name}", Set.of(COUNTERS_ADMIN)),
            Map.entry("GET /api/v1/counters", Set.of(COUNTERS_ADMIN)),
            Map.entry("POST /api/v1/jobs", Set.of(JOBS_SUBMIT)),
            // Either scope reaches a job; which jobs is the job resource's business (own ones for jobs:submit).
            Map.entry("GET /api/v1/jobs/{id}", Set.of(JOBS_SUBMIT, JOBS_ADMIN)),
            Map.entry("DELETE /api/v1/jobs/{id}", Set.of(JOBS_SUBMIT, JOBS_ADMIN)),
            Map.entry("GET /api/v1/work/blocking", Set.of(WORK)),
            Map.entry("GET /api/v1/work/cpu", Set.of(WORK)),
            Map.entry("POST /api/v1/sessions", OPEN),
            Map.entry("GET /api/v1/sessions/current", OPEN),
            Map.entry("PATCH /api/v1/sessions/current", OPEN),
            Map.entry("POST /api/v1/sessions/current/visits", OPEN),
            Map.entry("DELETE /api/v1/sessions/current", OPEN)));

    private RouteScopes() {
    }

    /** The scopes of which one grants {@code operation} ("POST /api/v1/jobs"); empty for an operation not listed. */
    public static Optional<Set<Scope>> of(String operation) {
        return Optional.ofNullable(TABLE.get(operation));
    }

    /** The whole table, ordered by operation. */
    public static Map<String, Set<Scope>> all() {
        return java.util.Collections.unmodifiableMap(TABLE);
    }
}
