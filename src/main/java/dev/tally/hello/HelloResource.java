package dev.tally.hello;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.NonBlocking;

/** The classic first endpoint: proves the HTTP path works without touching Redis. */
@Path("/")
@Tag(name = "hello", description = "Proves the HTTP path works, without Redis")
public class HelloResource {

    /**
     * On the event loop: it blocks on nothing. Without {@code @NonBlocking}, Quarkus REST runs a method with a plain
     * return type on a worker thread, and the hand-off there and back (a worker woken, parked, the answer resumed on
     * the loop) was a tenth of this route's CPU (docs/tuning.md).
     */
    @GET
    @NonBlocking
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "Hello World")
    @APIResponse(responseCode = "200", description = "Hello World")
    public String hello() {
        return "Hello World";
    }
}
