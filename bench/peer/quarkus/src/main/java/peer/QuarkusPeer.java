package peer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.Startup;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The Quarkus floor of bench/peer.sh: what Tally's two benchmarked routes cost on Quarkus REST and the Quarkus Redis
 * client alone, with none of Tally's features (no request ids, timing, log line, deadlines, quota, metrics). Both run
 * on the event loop, as Tally's do: {@code GET /} answers Hello World; {@code POST /api/v1/counters/NAME/increment}
 * with {@code {"by":N}} (optional) runs one INCRBY and answers {@code {"name":NAME,"value":V}}. Between the bare
 * Vert.x server and Tally, it splits the gap into the framework's part and Tally's own.
 *
 * <p>With {@code peer.increment=script} (bench/peer.sh's floor variant key {@code increment=script}) an increment runs
 * Tally's own increment script instead ({@code peer.increment-script}: the path of Tally's
 * {@code counter_increment.lua}, loaded once at start, then {@code EVALSHA} with the value key, a version key and a
 * change channel), so that what Tally's Redis work costs is measured apart from its Java work.
 */
@jakarta.ws.rs.Path("/")
@Startup // made on the main thread at start, where loading the script may block
public class QuarkusPeer {

    public record IncrementRequest(Long by) {
    }

    public record Counter(String name, long value) {
    }

    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, Long> values;
    private final String scriptSha; // null: one INCRBY per increment

    QuarkusPeer(ReactiveRedisDataSource redis, @ConfigProperty(name = "peer.increment") String increment,
            @ConfigProperty(name = "peer.increment-script") Optional<Path> script) {
        this.redis = redis;
        this.values = redis.value(Long.class);
        this.scriptSha = switch (increment) {
            case "incrby" -> null;
            case "script" -> redis.execute("SCRIPT", "LOAD", source(script.orElseThrow(() -> new IllegalArgumentException(
                    "peer.increment=script needs peer.increment-script, the path of Tally's counter_increment.lua"))))
                    .await().indefinitely().toString();
            default -> throw new IllegalArgumentException("peer.increment is incrby or script, not " + increment);
        };
    }

    private static String source(Path script) {
        try {
            return Files.readString(script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @NonBlocking
    @Produces(MediaType.TEXT_PLAIN)
    public String hello() {
        return "Hello World";
    }

    @POST
    @jakarta.ws.rs.Path("api/v1/counters/{name}/increment")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Counter> increment(@PathParam("name") String name, IncrementRequest body) {
        long by = body == null || body.by() == null ? 1L : body.by();
        String key = "peer:quarkus:" + name;
        if (scriptSha == null) {
            return values.incrby(key, by).map(value -> new Counter(name, value));
        }
        return redis.execute("EVALSHA", scriptSha, "2", key, key + ":version", Long.toString(by), key + ":changes")
                .map(reply -> new Counter(name, reply.toLong()));
    }
}
