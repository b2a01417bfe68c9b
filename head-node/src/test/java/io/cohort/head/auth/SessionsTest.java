package io.cohort.head.auth;

import io.cohort.head.store.JobStore;
import io.cohort.head.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionsTest
{
    @TempDir
    Path data;

    private final TestClock clock = new TestClock();
    private JobStore store;
    private Tokens tokens;
    private Sessions sessions;
    private Tokens.Issued alice;

    @BeforeEach
    void open() throws Exception
    {
        store = JobStore.open(data);
        tokens = new Tokens(store);
        sessions = new Sessions(tokens, clock);
        alice = tokens.create("alice", "alice", Role.USER);
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    private Caller caller() throws AuthException
    {
        return tokens.authenticate("Bearer " + alice.token());
    }

    @Test
    void aSessionActsAsTheCallerOfItsToken() throws Exception
    {
        final Sessions.Opened opened = sessions.open(caller());
        assertEquals(caller(), sessions.authenticate(opened.id()));
    }

    @Test
    void eachSessionHasItsOwnUnguessableId() throws Exception
    {
        final Sessions.Opened first = sessions.open(caller());
        final Sessions.Opened second = sessions.open(caller());
        assertNotEquals(first.id(), second.id());
        assertEquals(43, first.id().length(), "256 random bits, base64url");
    }

    @Test
    void aSessionEndsAfterItsLifetime() throws Exception
    {
        final Sessions.Opened opened = sessions.open(caller());
        clock.advance(Sessions.LIFETIME.minusSeconds(1));
        sessions.authenticate(opened.id());
        clock.advance(Duration.ofSeconds(1));
        final AuthException expired = assertThrows(AuthException.class, () -> sessions.authenticate(opened.id()));
        assertTrue(expired.getMessage().contains("expired"), expired.getMessage());
    }

    @Test
    void revokingTheTokenEndsItsSessions() throws Exception
    {
        final Sessions.Opened opened = sessions.open(caller());
        tokens.revoke(alice.record().id());
        final AuthException revoked = assertThrows(AuthException.class, () -> sessions.authenticate(opened.id()));
        assertTrue(revoked.getMessage().contains("revoked"), revoked.getMessage());
        assertFalse(sessions.valid(opened.id()));
        final AuthException again = assertThrows(AuthException.class, () -> sessions.authenticate(opened.id()));
        assertEquals(revoked.getMessage(), again.getMessage(), "every later request is told the same reason");
    }

    @Test
    void aClosedSessionIsGoneAndClosingTwiceIsNoError() throws Exception
    {
        final Sessions.Opened opened = sessions.open(caller());
        sessions.close(opened.id());
        sessions.close(opened.id());
        sessions.close(null);
        assertThrows(AuthException.class, () -> sessions.authenticate(opened.id()));
        assertNull(sessions.expiresAt(opened.id()));
    }

    @Test
    void malformedOrMissingIdsAreRefused()
    {
        assertThrows(AuthException.class, () -> sessions.authenticate(null));
        assertThrows(AuthException.class, () -> sessions.authenticate("x"));
        assertThrows(AuthException.class, () -> sessions.authenticate("A".repeat(43)));
    }

    @Test
    void theIdIsFoundAmongOtherCookiesAndHeaders()
    {
        assertEquals("abc", Sessions.idFrom(List.of("theme=dark; cohort_session=abc; lang=en")));
        assertEquals("abc", Sessions.idFrom(List.of("theme=dark", "cohort_session=abc")));
        assertNull(Sessions.idFrom(List.of("not_cohort_session=abc")));
        assertNull(Sessions.idFrom(null));
    }

    @Test
    void theCookieIsHttpOnlyStrictForTheApiAndSecureOnlyOverHttps() throws Exception
    {
        final Sessions.Opened opened = sessions.open(caller());
        assertEquals("cohort_session=" + opened.id() + "; Path=/api/v1; Max-Age=28800; HttpOnly; SameSite=Strict; "
            + "Secure", Sessions.cookie(opened, true));
        assertFalse(Sessions.cookie(opened, false).contains("Secure"));
        assertEquals("cohort_session=; Path=/api/v1; Max-Age=0; HttpOnly; SameSite=Strict; Secure",
            Sessions.clearingCookie(true));
    }

    @Test
    void beyondTheMostSessionsLoginsAreRefusedUntilSomeExpire() throws Exception
    {
        final Caller caller = caller();
        for (int i = 0; i < Sessions.MAX_SESSIONS; i++)
        {
            sessions.open(caller);
        }
        final IllegalStateException full = assertThrows(IllegalStateException.class, () -> sessions.open(caller));
        assertTrue(full.getMessage().contains("too many dashboard sessions (10000)"), full.getMessage());
        clock.advance(Sessions.LIFETIME);
        sessions.open(caller);
    }
}
