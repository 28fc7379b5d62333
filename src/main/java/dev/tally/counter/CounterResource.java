package dev.tally.counter;

import java.util.Optional;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.Cancellable;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.tally.guard.Deadline;
import io.smallrye.mutiny.Uni;

/** Named counters. Handlers only talk to Redis, so they run on the event loop and never block. */
@Deadline
@Cancellable
@Path("/api/v1/counters")
@Produces(MediaType.APPLICATION_JSON)
public class CounterResource {

    /** Set on a response that repeats an earlier result for the same {@code Idempotency-Key}. */
    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final CounterStore store;

    public CounterResource(CounterStore store) {
        this.store = store;
    }

    @POST
    @Path("{name}/increment")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> increment(@RestPath String name, HttpHeaders headers, IncrementRequest body) {
        CounterName.require(name);
        long by = body == null ? 1 : body.amount();
        Optional<String> idempotencyKey = IdempotencyKey.from(headers.getRequestHeader(IdempotencyKey.HEADER));
        if (idempotencyKey.isEmpty()) {
            return store.increment(name, by).map(value -> Response.ok(new Counter(name, value)).build());
        }
        return store.incrementOnce(name, by, idempotencyKey.get())
                .map(result -> Response.ok(new Counter(name, result.value()))
                        .header(REPLAYED_HEADER, Boolean.toString(result.replayed()))
                        .build());
    }

    @GET
    @Path("{name}")
    public Uni<Counter> get(@RestPath String name) {
        CounterName.require(name);
        return store.get(name).map(value -> new Counter(name, value));
    }

    @DELETE
    @Path("{name}")
    public Uni<Response> reset(@RestPath String name) {
        CounterName.require(name);
        return store.reset(name).map(ignored -> Response.noContent().build());
    }

    @GET
    public Uni<CounterPage> list(@RestQuery String prefix, @RestQuery String cursor, @RestQuery String limit) {
        return store.list(CounterName.requirePrefix(prefix), ListCursor.decode(cursor), PageLimit.parse(limit));
    }
}
