package dev.tally.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** What an API key (or the anonymous caller) may do; {@link RouteScopes} says which route needs which. */
public enum Scope {
    /** Read a counter. */
    COUNTERS_READ("counters:read"),
    /** Increment a counter. */
    COUNTERS_WRITE("counters:write"),
    /** Reset counters and list them all. */
    COUNTERS_ADMIN("counters:admin"),
    /** Submit jobs, and read and cancel the caller's own. */
    JOBS_SUBMIT("jobs:submit"),
    /** Read and cancel any caller's job. */
    JOBS_ADMIN("jobs:admin"),
    /** The demo endpoints under /api/v1/work (they hold threads and burn CPU). */
    WORK("work");

    private final String wire;

    Scope(String wire) {
        this.wire = wire;
    }

    /** The scope's name in keys, configuration and documents, e.g. {@code counters:read}. */
    public String wire() {
        return wire;
    }

    public static Optional<Scope> fromWire(String text) {
        return Arrays.stream(values()).filter(scope -> scope.wire.equals(text)).findFirst();
    }

    /** Every known name, for error messages. */
    static String known() {
        return Arrays.stream(values()).map(Scope::wire).collect(Collectors.joining(", "));
    }

    /** Scopes stored as one space-separated field (as OAuth writes them). */
    static String join(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wire).collect(Collectors.joining(" "));
    }

    /** The stored field back; names this version does not know are dropped (never granted). */
    static Set<Scope> split(String field) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        if (field != null) {
            for (String name : field.split(" ")) {
                fromWire(name).ifPresent(scopes::add);
            }
        }
        return scopes;
    }
}
