package dev.tally.web;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail, the body of every error Tally sends ({@code application/problem+json}).
 * {@code requestId} and {@code errors} are extension members: the first ties the answer to the logs, the second
 * lists each invalid input when there are several.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String requestId,
        List<String> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** Problem types are URNs: stable identifiers that clients can switch on, not pages to fetch. */
    public static String type(String slug) {
        return "urn:tally:problem:" + slug;
    }

    /**
     * A type's title, the same for every occurrence of the type (RFC 9457): its slug as words, so that the
     * OpenAPI document's examples ({@link ProblemResponses}) show the titles the service sends.
     */
    public static String title(String slug) {
        String words = slug.replace('-', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
