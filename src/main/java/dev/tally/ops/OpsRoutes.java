package dev.tally.ops;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.runtime.InstanceId;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The diagnostic endpoints, on the management interface only (port 9000, never proxied by Nginx): an operator
 * reaches them with {@code curl} or {@code kubectl port-forward}, the public never does.
 */
@ApplicationScoped
public class OpsRoutes {

    private final ThreadDump threads;
    private final InFlightRequests inFlight;
    private final InstanceId instance;
    private final ObjectMapper json;

    public OpsRoutes(ThreadDump threads, InFlightRequests inFlight, InstanceId instance, ObjectMapper json) {
        this.threads = threads;
        this.inFlight = inFlight;
        this.instance = instance;
        this.json = json;
    }

    void install(@Observes ManagementInterface management) {
        Router router = management.router();
        // A dump writes and reads a temp file and walks every stack: a worker thread's job, not the event loop's.
        router.get("/ops/threads").blockingHandler(this::threads, false);
        router.get("/ops/requests").handler(this::requests);
    }

    private void threads(RoutingContext ctx) {
        ThreadDump.Dump dump = threads.capture();
        if ("json".equals(ctx.request().getParam("format"))) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("instance", instance.value());
            body.put("time", dump.time().toString());
            body.put("runtime", dump.runtime());
            body.put("threadCount", dump.threads().size());
            body.put("virtualCount", dump.virtualCount());
            body.put("threads", dump.threads());
            sendJson(ctx, body);
        } else {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end(ThreadDumpText.render(dump, instance.value()));
        }
    }

    /** What an operator needs to find a hanging request: oldest first, with the thread to look up in a dump. */
    private void requests(RoutingContext ctx) {
        List<Map<String, Object>> rows = inFlight.all().stream()
                .sorted(Comparator.comparing(InFlightRequest::startedAt))
                .map(request -> {
                    Thread thread = request.servingThread();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("method", request.method());
                    row.put("path", request.path());
                    row.put("requestId", request.requestId());
                    row.put("startedAt", request.startedAt().toString());
                    row.put("ageMs", request.age().toMillis());
                    row.put("thread", thread.getName() + " #" + thread.threadId());
                    row.put("threadKind", request.threadKind().label());
                    return row;
                }).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", instance.value());
        body.put("inFlight", rows.size());
        body.put("requests", rows);
        sendJson(ctx, body);
    }

    private void sendJson(RoutingContext ctx, Object body) {
        try {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
