package dev.tally.web;

import jakarta.inject.Singleton;

import org.jboss.logging.MDC;

import dev.tally.runtime.Drain;
import dev.tally.runtime.InstanceId;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Pipeline stage "request id and tagging" (installed by {@code pipeline/RequestPipeline} on both ports): one
 * agreed request id (kept from the caller when safe, else made), in the MDC for logs, and on every response with
 * the replica's name, whatever layer writes the response. While the replica drains, HTTP/1.1 responses also ask
 * the client to close the connection: decided when the headers go out, so a request that began before the drain
 * still closes its connection, and in the same callback, so tagging costs one callback per request, not two.
 */
@Singleton
public class RequestTagging {

    public static final String INSTANCE_HEADER = "X-Tally-Instance";
    private static final String MDC_REQUEST_ID = "requestId";

    private final InstanceId instance;
    private final Drain drain;

    public RequestTagging(InstanceId instance, Drain drain) {
        this.instance = instance;
        this.drain = drain;
    }

    public void tag(RoutingContext ctx) {
        String requestId = RequestIds.acceptOrGenerate(ctx.request().getHeader(RequestIds.HEADER));
        // Rewriting the request header lets every later layer (mappers, logs) read one agreed id.
        ctx.request().headers().set(RequestIds.HEADER, requestId);
        MDC.put(MDC_REQUEST_ID, requestId);
        ctx.addHeadersEndHandler(ignored -> {
            ctx.response().headers().set(RequestIds.HEADER, requestId).set(INSTANCE_HEADER, instance.value());
            if (drain.draining() && ctx.request().version() != HttpVersion.HTTP_2) {
                ctx.response().headers().set(HttpHeaders.CONNECTION, "close");
            }
        });
        ctx.next();
    }
}
