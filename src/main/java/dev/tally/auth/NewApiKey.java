package dev.tally.auth;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.web.ProblemException;

/**
 * The body of {@code POST /ops/api-keys}: {@code {"name", "scopes": [...], "expiresAt"?}}, checked whole, every
 * fault listed at once ({@code invalid-input} with {@code errors}).
 */
record NewApiKey(String name, Set<Scope> scopes, Instant expiresAt) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> FIELDS = Set.of("name", "scopes", "expiresAt");

    static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    static NewApiKey from(JsonNode body, Instant now) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("malformed-json",
                    "The body must be a JSON object {\"name\", \"scopes\": [...], \"expiresAt\"?}");
        }
        List<String> errors = new ArrayList<>();
        body.fieldNames().forEachRemaining(field -> {
            if (!FIELDS.contains(field)) {
                errors.add("unknown field '" + field + "'");
            }
        });
        JsonNode name = body.path("name");
        if (!name.isTextual() || !isValidName(name.asText())) {
            errors.add("name: 1 to 64 characters of A-Z a-z 0-9 . _ -");
        }
        Set<Scope> scopes = scopes(body.path("scopes"), errors);
        Instant expiresAt = expiry(body.path("expiresAt"), now, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalidInput("The API key request is not valid", errors);
        }
        return new NewApiKey(name.asText(), scopes, expiresAt);
    }

    private static Set<Scope> scopes(JsonNode list, List<String> errors) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        if (!list.isArray() || list.isEmpty()) {
            errors.add("scopes: a non-empty array of " + Scope.known());
            return scopes;
        }
        for (JsonNode item : list) {
            if (!item.isTextual() || Scope.fromWire(item.asText()).isEmpty()) {
                errors.add("scopes: unknown scope " + item + "; known: " + Scope.known());
            } else {
                scopes.add(Scope.fromWire(item.asText()).get());
            }
        }
        return scopes;
    }

    private static Instant expiry(JsonNode value, Instant now, List<String> errors) {
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        try {
            Instant at = Instant.parse(value.asText());
            if (!value.isTextual() || !at.isAfter(now)) {
                errors.add("expiresAt: must be in the future");
            }
            return at;
        } catch (DateTimeParseException e) {
            errors.add("expiresAt: an ISO-8601 instant such as 2030-01-01T00:00:00Z");
            return null;
        }
    }
}
