package dev.tally.web;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    private final InstanceId instance;
    private final ObjectMapper json;

    public AccessLog(InstanceId instance, ObjectMapper json) {
        this.instance = instance;
        this.json = json;
    }

    void write(InFlightRequest request, String route, int status, long bytes, String caller) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", request.startedAt().toString());
        line.put("type", "access");
        line.put("method", request.method());
        line.put("route", route);
        line.put("status", status);
        line.put("durationMs", millis(request.age().toNanos()));
        line.put("redisMs", millis(request.redisTime().toNanos()));
        line.put("bytes", bytes);
        line.put("requestId", request.requestId());
        line.put("caller", caller == null ? "anonymous" : caller);
        line.put("instance", instance.value());
        line.put("thread", request.threadKind().label());
        try {
            LOG.info(json.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            LOG.warn("access line not written", e);
        }
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3; // microsecond precision is plenty, and keeps lines short
    }
}
