package dev.tally.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.web.ProblemException;

/** Turns a JSON object body into attribute changes, refusing what the session limits forbid. */
@Singleton
class AttributeRules {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final SessionSettings settings;

    AttributeRules(SessionSettings settings) {
        this.settings = settings;
    }

    /** Attributes for a new session; a null value simply means "not set". An absent body means none. */
    List<AttributeChange> forCreate(JsonNode body) {
        if (body == null || body.isNull()) {
            return List.of();
        }
        List<AttributeChange> changes = parse(body).stream().filter(change -> !change.deletes()).toList();
        if (changes.size() > settings.maxAttributes()) {
            throw tooMany(changes.size());
        }
        return changes;
    }

    /** A JSON merge patch over the attributes: null deletes, any other value replaces that attribute whole. */
    List<AttributeChange> forPatch(JsonNode body) {
        if (body == null || body.isNull()) {
            throw ProblemException.badRequest("invalid-attributes", "The body must be a JSON object of attributes");
        }
        return parse(body);
    }

    ProblemException tooMany(int count) {
        return ProblemException.unprocessable("too-many-attributes",
                "A session holds at most " + settings.maxAttributes() + " attributes; this change would leave "
                        + count);
    }

    /**
     * Most fields one request may name: enough to replace every attribute at once (delete them all, set as many
     * new ones). A bound on the work of one script: a patch of 36,000 {@code null} fields, well under the body
     * limit, held Redis for 0.1 s.
     */
    private int maxFields() {
        return 2 * settings.maxAttributes();
    }

    private List<AttributeChange> parse(JsonNode body) {
        if (!body.isObject()) {
            throw ProblemException.badRequest("invalid-attributes", "The body must be a JSON object of attributes");
        }
        if (body.size() > maxFields()) {
            throw ProblemException.unprocessable("too-many-changes", "One request names at most " + maxFields()
                    + " attributes (twice tally.session.max-attributes); this one names " + body.size());
        }
        List<AttributeChange> changes = new ArrayList<>();
        List<String> badNames = new ArrayList<>();
        List<String> tooLarge = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (!NAME.matcher(name).matches()) {
                badNames.add(name.length() > 40 ? name.substring(0, 40) + "…" : name);
                continue;
            }
            String json = field.getValue().isNull() ? null : field.getValue().toString();
            if (json != null && json.getBytes(StandardCharsets.UTF_8).length > settings.maxAttributeBytes()) {
                tooLarge.add(name);
                continue;
            }
            changes.add(new AttributeChange(name, json));
        }
        if (!badNames.isEmpty()) {
            throw ProblemException.invalidInput(
                    "Attribute names are 1 to 128 characters from A-Z a-z 0-9 . _ : -", badNames);
        }
        if (!tooLarge.isEmpty()) {
            throw ProblemException.unprocessable("attribute-too-large",
                    "Attribute values are at most " + settings.maxAttributeBytes() + " bytes of JSON: "
                            + String.join(", ", tooLarge));
        }
        return changes;
    }
}
