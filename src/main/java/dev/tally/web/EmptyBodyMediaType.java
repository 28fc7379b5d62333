package dev.tally.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A request without a body has no media type to refuse: its {@code Content-Type} is dropped before the resource is
 * chosen, so an empty POST is the endpoint's default action (an increment by 1, a visit) whatever type the client
 * names. Common load tools send one anyway ({@code hey} sends {@code text/html}), and a 415 for a body that is not
 * there helps nobody. A request that has a body keeps its type, and a wrong one is still a 415.
 */
public class EmptyBodyMediaType {

    @ServerRequestFilter(preMatching = true)
    public void dropTheTypeOfNothing(ContainerRequestContext request) {
        if ("0".equals(request.getHeaderString(HttpHeaders.CONTENT_LENGTH))
                && request.getHeaderString(HttpHeaders.CONTENT_TYPE) != null) {
            request.getHeaders().remove(HttpHeaders.CONTENT_TYPE);
        }
    }
}
