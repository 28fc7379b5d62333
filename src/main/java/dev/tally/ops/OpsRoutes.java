package dev.tally.ops;

import java.util.LinkedHashMap;
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
    private final InstanceId instance;
    private final ObjectMapper json;

    public OpsRoutes(ThreadDump threads, InstanceId instance, ObjectMapper json) {
        this.threads = threads;
        this.instance = instance;
        this.json = json;
    }

    void install(@Observes ManagementInterface management) {
        Router router = management.router();
        // A dump writes and reads a temp file and walks every stack: a worker thread's job, not the event loop's.
        router.get("/ops/threads").blockingHandler(this::threads, false);
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

    private void sendJson(RoutingContext ctx, Object body) {
        try {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
