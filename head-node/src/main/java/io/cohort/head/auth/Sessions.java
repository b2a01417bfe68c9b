package io.cohort.head.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Browser sessions of the dashboard: a bearer token is exchanged once for a random session id that travels in an
 * {@code HttpOnly} cookie, so the page's script never keeps the token and a browser's {@code EventSource} (which
 * cannot send an {@code Authorization} header) is authenticated. A session acts as the token's caller, ends after
 * {@link #LIFETIME}, on logout, or as soon as its token is revoked, and lives in memory only (a head node restart
 * asks for a new login). Only the SHA-256 of a session id is kept.
 *
 * <pre>{@code
 * Sessions.Opened opened = sessions.open(tokens.authenticate("Bearer " + token));
 * headers.add("Set-Cookie", Sessions.cookie(opened, true));          // HTTPS: also Secure
 * Caller caller = sessions.authenticate(Sessions.idFrom(cookieHeaders)); // later requests
 * }</pre>
 *
 * Thread-safe.
 */
public final class Sessions
{
    /** The cookie's name. */
    public static final String COOKIE = "cohort_session";

    /** How long a session lasts from login: a working day, after which the page asks for the token again. */
    public static final Duration LIFETIME = Duration.ofHours(8);

    /** The most sessions kept at once; beyond it, logins are refused until some end (memory stays bounded). */
    public static final int MAX_SESSIONS = 10_000;

    /** Where the cookie is sent: the API only, not the page's own files. */
    private static final String PATH = "/api/v1";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final Tokens tokens;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    /** One open session, keyed by the hash of its id. */
    private record Session(Caller caller, Instant expiresAt)
    {
    }

    /**
     * A session just opened.
     *
     * @param id        the session id (the cookie's value; never stored)
     * @param caller    who it acts as
     * @param expiresAt when it ends
     */
    public record Opened(String id, Caller caller, Instant expiresAt)
    {
    }

    /**
     * Sessions whose tokens are checked against these tokens.
     *
     * @param tokens the tokens
     * @param clock  the time source
     */
    public Sessions(final Tokens tokens, final InstantSource clock)
    {
        this.tokens = tokens;
        this.clock = clock;
    }

    /**
     * Opens a session for a caller that presented a valid token.
     *
     * @param caller the caller
     * @return the new session
     * @throws IllegalStateException if {@link #MAX_SESSIONS} unexpired sessions are open
     */
    public Opened open(final Caller caller)
    {
        final Instant now = clock.instant();
        if (sessions.size() >= MAX_SESSIONS)
        {
            sessions.values().removeIf(session -> !now.isBefore(session.expiresAt())
                || !tokens.live(session.caller().tokenId()));
            if (sessions.size() >= MAX_SESSIONS)
            {
                throw new IllegalStateException("too many dashboard sessions (" + MAX_SESSIONS + ") are open; log "
                    + "out of some or wait until they expire (" + LIFETIME.toHours() + " h after login)");
            }
        }
        final byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        final String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        final Instant expiresAt = now.plus(LIFETIME);
        sessions.put(hash(id), new Session(caller, expiresAt));
        return new Opened(id, caller, expiresAt);
    }

    /**
     * The session id in a request's {@code Cookie} headers.
     *
     * @param cookieHeaders the values of every {@code Cookie} header, or null
     * @return the id, or null if none is there
     */
    public static String idFrom(final List<String> cookieHeaders)
    {
        if (cookieHeaders == null)
        {
            return null;
        }
        for (final String header : cookieHeaders)
        {
            for (final String pair : header.split(";"))
            {
                final String trimmed = pair.strip();
                if (trimmed.startsWith(COOKIE + "="))
                {
                    return trimmed.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    /**
     * Establishes the caller of a request by its session.
     *
     * @param id the session id from the cookie
     * @return the caller of the session
     * @throws AuthException if there is no such session, it expired, or its token was revoked
     */
    public Caller authenticate(final String id) throws AuthException
    {
        final Session session = id == null || !ID.matcher(id).matches() ? null : sessions.get(hash(id));
        if (session == null)
        {
            throw new AuthException("no dashboard session (logged out, expired or the head node restarted); log in "
                + "again with your token");
        }
        // An ended session is kept until it expires (or a full table purges it), so that every request made with
        // it, the page's and its reconnecting event stream's, gets the same reason.
        if (!clock.instant().isBefore(session.expiresAt()))
        {
            throw new AuthException("the dashboard session expired at " + session.expiresAt() + "; log in again");
        }
        if (!tokens.live(session.caller().tokenId()))
        {
            throw new AuthException("token " + session.caller().tokenId() + " was revoked; the session ended. Ask "
                + "an admin for a new token");
        }
        return session.caller();
    }

    /**
     * When a session ends.
     *
     * @param id the session id
     * @return its expiry, or null if there is no such session
     */
    public Instant expiresAt(final String id)
    {
        final Session session = id == null || !ID.matcher(id).matches() ? null : sessions.get(hash(id));
        return session == null ? null : session.expiresAt();
    }

    /**
     * Whether a session still authenticates (for streams opened with it).
     *
     * @param id the session id
     * @return true while it is open, unexpired and its token not revoked
     */
    public boolean valid(final String id)
    {
        try
        {
            authenticate(id);
            return true;
        }
        catch (final AuthException ex)
        {
            return false;
        }
    }

    /**
     * Ends a session (logout). Unknown ids are ignored: logging out twice is no error.
     *
     * @param id the session id, or null
     */
    public void close(final String id)
    {
        if (id != null && ID.matcher(id).matches())
        {
            sessions.remove(hash(id));
        }
    }

    /**
     * The {@code Set-Cookie} value that hands a session to the browser.
     *
     * @param opened the session
     * @param secure whether the API is served over HTTPS (then the cookie is never sent in clear)
     * @return the header value
     */
    public static String cookie(final Opened opened, final boolean secure)
    {
        return COOKIE + "=" + opened.id() + attributes(LIFETIME.toSeconds(), secure);
    }

    /**
     * The {@code Set-Cookie} value that makes the browser forget its session.
     *
     * @param secure whether the API is served over HTTPS
     * @return the header value
     */
    public static String clearingCookie(final boolean secure)
    {
        return COOKIE + "=" + attributes(0, secure);
    }

    private static String attributes(final long maxAgeSeconds, final boolean secure)
    {
        // HttpOnly: the page's script cannot read it. SameSite=Strict: no other site's page sends it. Secure only
        // over HTTPS: without TLS, browsers other than on localhost would drop a Secure cookie, and the token
        // itself then travels in clear anyway.
        return "; Path=" + PATH + "; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
            + (secure ? "; Secure" : "");
    }

    private static String hash(final String id)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(id.getBytes(StandardCharsets.US_ASCII)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every Java runtime has SHA-256", ex);
        }
    }
}
