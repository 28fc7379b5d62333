package dev.tally.guard;

import java.time.Duration;
import java.util.regex.Pattern;

import dev.tally.web.ProblemException;

/** {@code X-Request-Timeout: <milliseconds>}: a client may shorten its deadline, never lengthen it. */
final class RequestTimeoutHeader {

    static final String NAME = "X-Request-Timeout";
    private static final Pattern MILLIS = Pattern.compile("[1-9][0-9]{0,8}");

    private RequestTimeoutHeader() {
    }

    /** The deadline for a request whose route allows {@code budget}. */
    static Duration apply(String header, Duration budget) {
        if (header == null) {
            return budget;
        }
        if (!MILLIS.matcher(header.trim()).matches()) {
            throw ProblemException.badRequest("invalid-request-timeout",
                    NAME + " must be a whole number of milliseconds from 1 to 999999999");
        }
        Duration asked = Duration.ofMillis(Long.parseLong(header.trim()));
        return asked.compareTo(budget) < 0 ? asked : budget;
    }
}
