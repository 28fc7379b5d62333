package dev.tally.session;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Writes the {@code Set-Cookie} values for {@code TALLY_SESSION}: HttpOnly, SameSite=Lax, Path=/, and Secure
 * unless configured off. Written by hand because the JAX-RS cookie type adds the obsolete {@code Version=1}.
 */
@ApplicationScoped
class SessionCookies {

    static final String NAME = "TALLY_SESSION";
    static final String HEADER = "Set-Cookie";

    private final String attributes;

    SessionCookies(SessionSettings settings) {
        this.attributes = "; Path=/; HttpOnly" + (settings.cookieSecure() ? "; Secure" : "") + "; SameSite=Lax";
    }

    /** A browser-session cookie: the server-side TTL, not the cookie, decides when the session ends. */
    String issue(String sessionId) {
        return NAME + "=" + sessionId + attributes;
    }

    String clear() {
        return NAME + "=" + attributes + "; Max-Age=0";
    }
}
