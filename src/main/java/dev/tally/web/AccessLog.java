package dev.tally.web;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import dev.tally.runtime.InstanceId;

/**
 * The timing log: one JSON line per app request, on the logger {@code tally.access}, which application.properties
 * sends to its own console handler printing the message alone, so each line is a JSON document whatever the
 * format of the other logs. The route is the template ({@code /api/v1/counters/{name}}), never the raw path, so
 * lines group by endpoint and carry no counter names or ids.
 */
@ApplicationScoped
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
        line.append("{\"time\":");
        string(line, request.startedAt().toString());
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
