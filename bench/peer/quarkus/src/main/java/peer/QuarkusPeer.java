package peer;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The Quarkus floor of bench/peer.sh: what Tally's two benchmarked routes cost on Quarkus REST and the Quarkus Redis
 * client alone, with none of Tally's features (no request ids, timing, log line, deadlines, quota, metrics). Both run
 * on the event loop, as Tally's do: {@code GET /} answers Hello World; {@code POST /api/v1/counters/NAME/increment}
 * with {@code {"by":N}} (optional) runs one INCRBY and answers {@code {"name":NAME,"value":V}}. Between the bare
 * Vert.x server and Tally, it splits the gap into the framework's part and Tally's own.
 */
@Path("/")
public class QuarkusPeer {

    public record IncrementRequest(Long by) {
    }

    public record Counter(String name, long value) {
    }

    private final ReactiveValueCommands<String, Long> values;

    QuarkusPeer(ReactiveRedisDataSource redis) {
        this.values = redis.value(Long.class);
    }

    @GET
    @NonBlocking
    @Produces(MediaType.TEXT_PLAIN)
    public String hello() {
        return "Hello World";
    }

    @POST
    @Path("api/v1/counters/{name}/increment")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Counter> increment(@PathParam("name") String name, IncrementRequest body) {
        long by = body == null || body.by() == null ? 1L : body.by();
        return values.incrby("peer:quarkus:" + name, by).map(value -> new Counter(name, value));
    }
}
