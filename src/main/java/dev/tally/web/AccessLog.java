package dev.tally.web;

import java.time.Instant;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import dev.tally.runtime.InstanceId;

/**
 * The timing log: one JSON line per app request, on the logger {@code tally.access}, which application.properties
 * sends to its own console handler printing the message alone, so each line is a JSON document whatever the
 * format of the other logs. The route is the template ({@code /api/v1/counters/{name}}), never the raw path, so
 * lines group by endpoint and carry no counter names or ids.
 */
@Singleton
public class AccessLog {

    public static final String CATEGORY = "tally.access";
    /**
     * Where authentication leaves the caller's name for the line (a routing-context key): an API key's name, never
     * its secret; without one the line says {@code anonymous}.
     */
    public static final String CALLER = "tally.access.caller";
    private static final Logger LOG = Logger.getLogger(CATEGORY);
    private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();

    /** The replica's name as a JSON string, encoded once. */
    private final String instanceJson;

    public AccessLog(InstanceId instance) {
        StringBuilder json = new StringBuilder();
        string(json, instance.value());
        this.instanceJson = json.toString();
    }

    void write(InFlightRequest request, String route, int status, long bytes, String caller) {
        if (LOG.isInfoEnabled()) {
            LOG.info(line(request, request.age().toNanos(), route, status, bytes, caller));
        }
    }

    /** The line of {@code request}, which took {@code durationNanos}. */
    String line(InFlightRequest request, long durationNanos, String route, int status, long bytes, String caller) {
        // Written straight into one builder, in the order and with the number formats Jackson's ObjectMapper gave
        // a LinkedHashMap of these fields: the map and the mapper cost more than the rest of the line
        // (bench/profile.sh, docs/tuning.md). Strings are escaped by Jackson's own encoder.
        StringBuilder line = new StringBuilder(320);
        line.append("{\"time\":\"");
        instant(line, request.startedAt());
        line.append('"');
        line.append(",\"type\":\"access\",\"method\":");
        string(line, request.method());
        line.append(",\"route\":");
        string(line, route);
        line.append(",\"status\":").append(status);
        line.append(",\"durationMs\":").append(millis(durationNanos));
        line.append(",\"redisMs\":").append(millis(request.redisTime().toNanos()));
        line.append(",\"bytes\":").append(bytes);
        line.append(",\"requestId\":");
        string(line, request.requestId());
        line.append(",\"caller\":");
        string(line, caller == null ? "anonymous" : caller);
        line.append(",\"instance\":").append(instanceJson);
        line.append(",\"thread\":");
        string(line, request.threadKind().label());
        return line.append('}').toString();
    }

    /**
     * Appends {@code time} exactly as {@link Instant#toString()} writes it (ISO-8601, the fraction in 3, 6 or 9
     * digits as needed, none when zero), with the date and time of day formatted once per second rather than
     * by a DateTimeFormatter per line.
     */
    static void instant(StringBuilder line, Instant time) {
        Second second = lastSecond;
        if (second.epochSecond != time.getEpochSecond()) {
            String whole = Instant.ofEpochSecond(time.getEpochSecond()).toString(); // "...T15:21:34Z"
            second = new Second(time.getEpochSecond(), whole.substring(0, whole.length() - 1));
            lastSecond = second;
        }
        line.append(second.text);
        int nano = time.getNano();
        if (nano != 0) {
            int digits = nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9;
            int value = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1000 : nano;
            String text = Integer.toString(value);
            line.append('.');
            for (int pad = text.length(); pad < digits; pad++) {
                line.append('0');
            }
            line.append(text);
        }
        line.append('Z');
    }

    /** The formatted date and time of day of one epoch second; shared by every thread, replaced as time moves. */
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

    private static void string(StringBuilder line, String value) {
        if (value == null) {
            line.append("null");
            return;
        }
        line.append('"');
        STRINGS.quoteAsString(value, line);
        line.append('"');
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3; // microsecond precision is plenty, and keeps lines short
    }
}
