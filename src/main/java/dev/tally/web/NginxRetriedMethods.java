package dev.tally.web;

import java.util.Set;

/**
 * The methods Nginx itself treats as idempotent and so retries on another replica after a connection error (it
 * never retries POST, PATCH or LOCK once sent): what the drain hand-back ({@code guard/DrainHandoff}) may return
 * to Nginx by closing the connection.
 */
public final class NginxRetriedMethods {

    private static final Set<String> NAMES = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    private NginxRetriedMethods() {
    }

    /** Whether Nginx retries a request with this method (upper case, as HTTP spells it) elsewhere. */
    public static boolean contains(String method) {
        return NAMES.contains(method);
    }
}
