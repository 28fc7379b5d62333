package dev.tally.counter;

import java.util.regex.Pattern;

import dev.tally.web.ProblemException;

/** Counter naming rules, shared by the API (which rejects bad names) and listing (which skips foreign keys). */
public final class CounterName {

    static final String RULE = "1 to 200 characters from A-Z a-z 0-9 . _ : -";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    private static final Pattern VALID_PREFIX = Pattern.compile("[A-Za-z0-9._:-]{0,200}");

    private CounterName() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    public static String require(String name) {
        if (!isValid(name)) {
            throw ProblemException.badRequest("invalid-counter-name", "Counter names are " + RULE);
        }
        return name;
    }

    public static String requirePrefix(String prefix) {
        String value = prefix == null ? "" : prefix;
        if (!VALID_PREFIX.matcher(value).matches()) {
            throw ProblemException.badRequest("invalid-counter-prefix",
                    "A prefix is up to 200 characters from A-Z a-z 0-9 . _ : -");
        }
        return value;
    }
}
