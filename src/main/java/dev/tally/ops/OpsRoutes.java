package dev.tally.ops;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tally.runtime.InstanceId;
import dev.tally.web.InFlightRequest;
import dev.tally.web.InFlightRequests;
import dev.tally.web.RouteReplies;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The diagnostic endpoints, on the management interface only (port 9000, never proxied by Nginx): an operator
 * reaches them with {@code curl} or {@code kubectl port-forward} and the ops token ({@link OpsAccess}), the public
 * never does. The console's page is {@link OpsConsole}.
 */
@Singleton
public class OpsRoutes {

    private static final long PUSH_EVERY_MS = 1000;

    private final ThreadDump threads;
    private final InFlightRequests inFlight;
    private final ClusterView cluster;
    private final SnapshotFactory snapshots;
    private final InstanceId instance;
    private final ObjectMapper json;
    private final RouteReplies replies;
    private final Vertx vertx;

    public OpsRoutes(ThreadDump threads, InFlightRequests inFlight, ClusterView cluster, SnapshotFactory snapshots,
            InstanceId instance, ObjectMapper json, RouteReplies replies, Vertx vertx) {
        this.threads = threads;
        this.inFlight = inFlight;
        this.cluster = cluster;
        this.snapshots = snapshots;
        this.instance = instance;
        this.json = json;
        this.replies = replies;
        this.vertx = vertx;
    }

    void install(@Observes ManagementInterface management) {
        Router router = management.router();
        // A dump writes and reads a temp file and walks every stack: a worker thread's job, not the event loop's.
        router.get("/ops/threads").blockingHandler(this::threads, false);
        router.get("/ops/requests").handler(this::requests);
        router.get("/ops/cluster").handler(this::cluster);
        router.get("/ops/events").handler(this::events);
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
            replies.json(ctx, 200, body);
        } else {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end(ThreadDumpText.render(dump, instance.value()));
        }
    }

    /** What an operator needs to find a hanging request: oldest first, with the thread to look up in a dump. */
    private void requests(RoutingContext ctx) {
        List<Map<String, Object>> rows = inFlight.all().stream()
                .sorted(Comparator.comparing(InFlightRequest::startedAt))
                .map(OpsRoutes::row).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", instance.value());
        body.put("inFlight", rows.size());
        body.put("requests", rows);
        replies.json(ctx, 200, body);
    }

    /** One request in flight as the ops routes list it (HangRoutes adds its thread's stack). */
    static Map<String, Object> row(InFlightRequest request) {
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
    }

    /** Redis down: a 503 problem with the configured Retry-After (web/ExpectedFailures), like the app port. */
    private void cluster(RoutingContext ctx) {
        replies.reply(ctx, 200, cluster.live().map(replicas -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("askedOf", instance.value());
            body.put("replicas", replicas);
            return body;
        }));
    }

    /**
     * The console's live feed (Server-Sent Events): every second this replica's own snapshot, fresh, plus the
     * cluster view from Redis. SSE rather than WebSocket: one direction is all it needs. The console reads it with
     * {@code fetch()} rather than {@code EventSource}, which cannot send the ops token's header.
     */
    private void events(RoutingContext ctx) {
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
        long timer = vertx.setPeriodic(0, PUSH_EVERY_MS, tick -> push(response));
        response.closeHandler(closed -> vertx.cancelTimer(timer));
    }

    private void push(HttpServerResponse response) {
        ReplicaSnapshot self = snapshots.now();
        cluster.live().onFailure().recoverWithItem(List.of()).subscribe().with(replicas -> {
            if (response.closed() || response.ended()) {
                return;
            }
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("self", self);
            event.put("cluster", replicas);
            try {
                response.write("data: " + json.writeValueAsString(event) + "\n\n");
            } catch (JsonProcessingException e) {
                response.reset();
            }
        });
    }
}
