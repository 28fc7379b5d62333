package dev.tally.session;

import java.util.Optional;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * The session cookie: {@code __Host-TALLY_SESSION} when Secure (the default), plain {@code TALLY_SESSION} when
 * {@code tally.session.cookie-secure=false} for plain-HTTP local runs, always HttpOnly, SameSite=Lax, Path=/ and
 * without Domain. The {@code __Host-} prefix makes browsers accept the cookie only from a secure origin, for
 * exactly this host and path: a sibling subdomain or a plain-HTTP page on the same host can neither set nor
 * shadow it (RFC 6265bis). Browsers refuse a {@code __Host-} cookie without Secure, hence the plain name then.
 * Only the configured name is read. {@code Set-Cookie} is written by hand because the JAX-RS cookie type adds the
 * obsolete {@code Version=1}.
 */
@Singleton
class SessionCookies {

    static final String BASE_NAME = "TALLY_SESSION";
    static final String SECURE_PREFIX = "__Host-";
    static final String HEADER = "Set-Cookie";

    private final String name;
    private final String attributes;

    SessionCookies(SessionSettings settings) {
        this.name = settings.cookieSecure() ? SECURE_PREFIX + BASE_NAME : BASE_NAME;
        this.attributes = "; Path=/; HttpOnly" + (settings.cookieSecure() ? "; Secure" : "") + "; SameSite=Lax";
    }

    /** The session id the request's cookie carries, if it could be one of ours (see {@link SessionId}). */
    Optional<String> idIn(HttpHeaders headers) {
        Cookie cookie = headers.getCookies().get(name);
        return SessionId.fromCookie(cookie == null ? null : cookie.getValue());
    }

    /** A browser-session cookie: the server-side TTL, not the cookie, decides when the session ends. */
    String issue(String sessionId) {
        return name + "=" + sessionId + attributes;
    }

    String clear() {
        return name + "=" + attributes + "; Max-Age=0";
    }
}
