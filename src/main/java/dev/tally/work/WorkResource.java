package dev.tally.work;

import java.time.Duration;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.Cancellable;
import org.jboss.resteasy.reactive.RestQuery;

import dev.tally.guard.Deadline;
import dev.tally.web.ProblemException;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Uni;

/**
 * Demo endpoints that behave like the work which exhausts classic thread pools: one blocks, one burns CPU. They
 * show (and let tests and benchmarks prove) that such work never delays the rest of the service.
 */
@Deadline(Deadline.Budget.WORK)
@Cancellable
@Path("/api/v1/work")
@Tag(name = "work", description = "Stand-ins for blocking and CPU-heavy code, isolated from the event loop")
@APIResponse(responseCode = "503", description = "`overloaded`: the work's bulkhead is full (load shedding)")
@Produces(MediaType.APPLICATION_JSON)
public class WorkResource {

    /** What a work call did. */
    public record Done(String kind, long tookMs, String thread, String result) {
    }

    private static final String INVALID = "`invalid-work-parameter`: missing or out of bounds";

    private final BlockingWork blocking;
    private final CpuWork cpu;
    private final WorkSettings settings;

    public WorkResource(BlockingWork blocking, CpuWork cpu, WorkSettings settings) {
        this.blocking = blocking;
        this.cpu = cpu;
        this.settings = settings;
    }

    /** Blocks a virtual thread for {@code ms} milliseconds; the event loop never waits for it. */
    @GET
    @Path("blocking")
    @Operation(summary = "Block a virtual thread for ms milliseconds (0 to 30000)")
    @APIResponse(responseCode = "200", description = "What ran, how long and on which thread", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Done.class),
            examples = @ExampleObject(name = "blocked", value = "{\"kind\":\"blocking\",\"tookMs\":200,"
                    + "\"thread\":\"virtual\",\"result\":null}")))
    @APIResponse(responseCode = "400", description = INVALID)
    @RunOnVirtualThread
    public Done blocking(@RestQuery String ms) throws InterruptedException {
        long millis = bounded("ms", ms, settings.maxBlocking().toMillis());
        Duration took = blocking.block(Duration.ofMillis(millis));
        return new Done("blocking", took.toMillis(), describe(Thread.currentThread()), null);
    }

    /** Runs {@code iterations} rounds of SHA-256 on the CPU pool. */
    @GET
    @Path("cpu")
    @Operation(summary = "Run iterations rounds of SHA-256 (0 to 5000000) on the CPU pool")
    @APIResponse(responseCode = "200", description = "What ran, how long, and the digest", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Done.class),
            examples = @ExampleObject(name = "digested", value = "{\"kind\":\"cpu\",\"tookMs\":38,"
                    + "\"thread\":\"platform (tally-cpu)\",\"result\":"
                    + "\"3a1f0c7be2d94f6a8c5e0b1d2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c\"}")))
    @APIResponse(responseCode = "400", description = INVALID)
    public Uni<Done> cpu(@RestQuery String iterations) {
        int rounds = (int) bounded("iterations", iterations, settings.maxCpuIterations());
        long started = System.nanoTime();
        Cancellation cancellation = new Cancellation();
        return cpu.digest(rounds, cancellation)
                .onCancellation().invoke(cancellation::cancel)
                .map(digest -> new Done("cpu", (System.nanoTime() - started) / 1_000_000, "platform (tally-cpu)",
                        digest));
    }

    private static long bounded(String name, String text, long max) {
        try {
            long value = Long.parseLong(text == null ? "" : text);
            if (value >= 0 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // same answer as out of range
        }
        throw ProblemException.badRequest("invalid-work-parameter", name + " must be an integer from 0 to " + max);
    }

    private static String describe(Thread thread) {
        return thread.isVirtual() ? "virtual" : "platform (" + thread.getName() + ")";
    }
}
