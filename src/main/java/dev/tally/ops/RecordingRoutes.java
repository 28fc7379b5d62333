package dev.tally.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.tally.runtime.InstanceId;
import dev.tally.web.ProblemException;
import dev.tally.web.RouteReplies;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jdk.jfr.Recording;

/**
 * {@code POST /ops/recordings?seconds=N} on the management interface: a JFR flight recording of the next N seconds
 * (at most {@code tally.ops.recording-max}), answered with the {@code .jfr} file for JDK Mission Control, or with
 * {@code format=summary} a short text computed from it. One at a time (409 while one runs): two would record the
 * same seconds twice. The event loop only waits on timers; starting, writing and reading run on worker threads.
 */
@Singleton
public class RecordingRoutes {

    private final FlightRecorder recorder;
    private final OpsSettings settings;
    private final InstanceId instance;
    private final RouteReplies replies;
    private final Vertx vertx;
    private final AtomicBoolean recording = new AtomicBoolean();

    public RecordingRoutes(FlightRecorder recorder, OpsSettings settings, InstanceId instance, RouteReplies replies,
            Vertx vertx) {
        this.recorder = recorder;
        this.settings = settings;
        this.instance = instance;
        this.replies = replies;
        this.vertx = vertx;
    }

    void install(@Observes ManagementInterface management) {
        management.router().post("/ops/recordings").handler(this::record);
    }

    private void record(RoutingContext ctx) {
        Duration length;
        try {
            length = length(ctx.request().getParam("seconds"));
        } catch (ProblemException refused) {
            replies.fail(ctx, refused);
            return;
        }
        boolean summary = "summary".equals(ctx.request().getParam("format"));
        if (!recording.compareAndSet(false, true)) {
            replies.fail(ctx, ProblemException.conflict("recording-in-progress",
                    "A flight recording is running on this replica; ask again when it has ended"));
            return;
        }
        vertx.executeBlocking(recorder::start, false)
                .compose(started -> after(length).map(started))
                .compose(done -> vertx.executeBlocking(() -> recorder.finish(done), false))
                .onComplete(written -> recording.set(false))
                .onSuccess(file -> send(ctx, file, summary))
                .onFailure(failure -> replies.fail(ctx, failure));
    }

    private Duration length(String seconds) {
        long max = settings.recordingMax().toSeconds();
        String detail = "seconds must be a whole number from 1 to " + max;
        try {
            long value = Long.parseLong(seconds == null ? "" : seconds);
            if (value < 1 || value > max) {
                throw ProblemException.badRequest("invalid-recording-length", detail);
            }
            return Duration.ofSeconds(value);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("invalid-recording-length", detail);
        }
    }

    private Future<Void> after(Duration length) {
        return Future.future(promise -> vertx.setTimer(length.toMillis(), fired -> promise.complete()));
    }

    private void send(RoutingContext ctx, Path file, boolean summary) {
        Future<Void> sent;
        if (summary) {
            sent = vertx.executeBlocking(() -> RecordingSummary.of(file), false)
                    .compose(text -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                            .end(text));
        } else {
            String name = "tally-" + instance.value() + "-" + Instant.now().toString().replace(':', '-') + ".jfr";
            sent = ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + name + "\"")
                    .sendFile(file.toString());
        }
        sent.onFailure(failure -> {
            if (!ctx.response().headWritten()) {
                replies.fail(ctx, failure);
            }
        }).onComplete(done -> vertx.fileSystem().deleteRecursive(file.getParent().toString(), true));
    }
}
