import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * The bare reference of bench/peer.sh: Vert.x core and the Vert.x Redis client (the versions Quarkus brings), the
 * fast way: no router, no framework, one verticle per core sharing one listening port, one pooled Redis client of
 * the same size as Tally's. {@code GET /} answers Hello World; {@code POST /api/v1/counters/NAME/increment} with
 * {@code {"by":N}} (optional) runs one INCRBY and answers {@code {"name":NAME,"value":V}}. Loopback only.
 *
 * <pre>java -cp VERTX_CLASSPATH bench/peer/vertx/BarePeer.java HTTP_PORT REDIS_PORT</pre>
 */
public class BarePeer extends AbstractVerticle {

    private static final String PREFIX = "/api/v1/counters/";
    private static final String SUFFIX = "/increment";
    private static final Buffer HELLO = Buffer.buffer("Hello World");

    private final int port;
    private final Redis redis;

    BarePeer(int port, Redis redis) {
        this.port = port;
        this.redis = redis;
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx();
        Redis redis = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString("redis://127.0.0.1:" + Integer.parseInt(args[1]))
                .setMaxPoolSize(32).setMaxPoolWaiting(2048));
        int cores = Runtime.getRuntime().availableProcessors();
        vertx.deployVerticle(() -> new BarePeer(port, redis), new DeploymentOptions().setInstances(cores))
                .onSuccess(id -> System.out.println("bare-vertx: ready on 127.0.0.1:" + port + " with " + cores
                        + " event loops"))
                .onFailure(failure -> {
                    failure.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public void start(Promise<Void> started) {
        vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
                .<Void>mapEmpty().onComplete(started);
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.equals("/")) {
            request.response().putHeader("Content-Type", "text/plain;charset=UTF-8").end(HELLO);
        } else if (path.startsWith(PREFIX) && path.endsWith(SUFFIX) && path.length() > PREFIX.length() + SUFFIX.length()
                && request.method().name().equals("POST")) {
            String name = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
            request.body().onSuccess(body -> increment(request, name, body.length() == 0 ? 1
                    : new JsonObject(body).getLong("by", 1L))).onFailure(failure -> fail(request, 400));
        } else {
            fail(request, 404);
        }
    }

    private void increment(HttpServerRequest request, String name, long by) {
        redis.send(Request.cmd(Command.INCRBY).arg("peer:vertx:" + name).arg(by))
                .onSuccess(value -> request.response().putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("name", name).put("value", value.toLong()).toBuffer()))
                .onFailure(failure -> fail(request, 503));
    }

    private static void fail(HttpServerRequest request, int status) {
        request.response().setStatusCode(status).end();
    }
}
