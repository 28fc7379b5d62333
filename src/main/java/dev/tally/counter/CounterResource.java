package dev.tally.counter;

import java.util.Optional;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.Cancellable;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.tally.auth.Caller;
import dev.tally.guard.Deadline;
import dev.tally.web.ProblemResponses;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/** Named counters. Handlers only talk to Redis, so they run on the event loop and never block. */
@Deadline
@Cancellable
@Path("/api/v1/counters")
@Tag(name = "counters", description = "Named signed 64-bit counters. The live feed WS /api/v1/counters/{name}/live is "
        + "a WebSocket, not a REST operation, so it is not listed here (docs/api.md, Live updates); its handshake "
        + "is refused with `invalid-counter-name`, `live-sockets-exhausted` or `draining`.")
@APIResponse(responseCode = "503", description = ProblemResponses.STORE_UNAVAILABLE)
@Produces(MediaType.APPLICATION_JSON)
public class CounterResource {

    /** Set on a response that repeats an earlier result for the same {@code Idempotency-Key}. */
    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private static final String COUNTER_EXAMPLE = "{\"name\":\"page.views\",\"value\":11}";
    private static final String NAME_RULE = "`invalid-counter-name`: the name is not 1 to 200 characters of "
            + "A-Z a-z 0-9 . _ : -";

    private final CounterStore store;

    public CounterResource(CounterStore store) {
        this.store = store;
    }

    @POST
    @Path("{name}/increment")
    @Operation(summary = "Add `by` (default 1, may be negative) to a counter")
    @Parameter(name = IdempotencyKey.HEADER, in = ParameterIn.HEADER, description = "Retries with the same key count "
            + "once (within `tally.counter.idempotency-retention`)", schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "The new value; with `Idempotent-Replayed: true` when it repeats "
            + "an earlier result for the same `Idempotency-Key`", content = @Content(
                    mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Counter.class),
                    examples = @ExampleObject(name = "incremented", value = COUNTER_EXAMPLE)))
    @APIResponse(responseCode = "400", description = NAME_RULE + "; `invalid-idempotency-key`: not 1 to 255 "
            + "characters of A-Z a-z 0-9 . _ : + / = -; `malformed-json`: by is not a JSON integer, or an unknown "
            + "field")
    @APIResponse(responseCode = "409", description = "`counter-overflow`: the value would leave the signed 64-bit "
            + "range; nothing changed")
    @APIResponse(responseCode = "422", description = "`idempotency-key-reused`: the key was first used with another "
            + "by")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> increment(@RestPath String name, HttpHeaders headers, @Context RoutingContext routing,
            @RequestBody(required = false) IncrementRequest body) {
        CounterName.require(name);
        long by = body == null ? 1 : body.amount();
        Optional<String> idempotencyKey = IdempotencyKey.from(headers.getRequestHeader(IdempotencyKey.HEADER));
        if (idempotencyKey.isEmpty()) {
            return store.increment(name, by).map(value -> Response.ok(new Counter(name, value)).build());
        }
        // Per caller: another caller's request with the same key neither replays this one nor is refused by it.
        return store.incrementOnce(name, by, Caller.of(routing).identity(), idempotencyKey.get())
                .map(result -> Response.ok(new Counter(name, result.value()))
                        .header(REPLAYED_HEADER, Boolean.toString(result.replayed()))
                        .build());
    }

    @GET
    @Path("{name}")
    @Operation(summary = "A counter's value (0 for an unknown counter)")
    @APIResponse(responseCode = "200", description = "The counter", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Counter.class),
            examples = @ExampleObject(name = "counter", value = COUNTER_EXAMPLE)))
    @APIResponse(responseCode = "400", description = NAME_RULE)
    public Uni<Counter> get(@RestPath String name) {
        CounterName.require(name);
        return store.get(name).map(value -> new Counter(name, value));
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Reset (delete) a counter")
    @APIResponse(responseCode = "204", description = "Reset")
    @APIResponse(responseCode = "400", description = NAME_RULE)
    public Uni<Response> reset(@RestPath String name) {
        CounterName.require(name);
        return store.reset(name).map(ignored -> Response.noContent().build());
    }

    @GET
    @Operation(summary = "One page of counters, by Redis SCAN; follow `next` until it is null")
    @APIResponse(responseCode = "200", description = "A page; it may hold fewer than `limit` items while `next` is "
            + "not null", content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = CounterPage.class), examples = {
                        @ExampleObject(name = "more to come", value = "{\"items\":[{\"name\":\"page.clicks\","
                                + "\"value\":3},{\"name\":\"page.views\",\"value\":11}],\"next\":\"djE6MTUzNjoxMDA\"}"),
                        @ExampleObject(name = "last page", value = "{\"items\":[{\"name\":\"page.views\","
                                + "\"value\":11}],\"next\":null}") }))
    @APIResponse(responseCode = "400", description = "`invalid-counter-prefix`, `invalid-cursor`, `invalid-limit`: "
            + "a parameter breaks its rule")
    public Uni<CounterPage> list(@Parameter(description = "Only names starting with it") @RestQuery String prefix,
            @Parameter(description = "The previous page's `next`") @RestQuery String cursor,
            @Parameter(description = "1 to 1000, default 100", example = "100") @RestQuery String limit) {
        return store.list(CounterName.requirePrefix(prefix), ListCursor.decode(cursor), PageLimit.parse(limit));
    }
}
