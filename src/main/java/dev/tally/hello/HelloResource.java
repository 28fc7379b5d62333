package dev.tally.hello;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The classic first endpoint: proves the HTTP path works without touching Redis. */
@Path("/")
@Tag(name = "hello", description = "Proves the HTTP path works, without Redis")
public class HelloResource {

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "Hello World")
    @APIResponse(responseCode = "200", description = "Hello World")
    public String hello() {
        return "Hello World";
    }
}
