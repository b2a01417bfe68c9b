package io.cohort.head.auth;

import io.cohort.head.job.Webhook;
import io.cohort.head.store.JobStore;
import io.cohort.head.store.TokenRecord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * API tokens: {@code cohort_<id>_<secret>}. The id is public (lists, revocation); only the SHA-256 of the secret is
 * stored. The secret is 256 random bits, so a fast hash is enough: it cannot be guessed, only stolen, and the
 * store never holds it.
 *
 * <pre>{@code
 * Tokens.Issued issued = tokens.create("ci", "alice", Role.USER); // issued.token() is shown once
 * Caller caller = tokens.authenticate("Bearer " + issued.token());
 * }</pre>
 *
 * Thread-safe.
 */
public final class Tokens
{
    private static final Pattern TOKEN = Pattern.compile("cohort_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final JobStore store;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, TokenRecord> cache = new ConcurrentHashMap<>();

    /**
     * A newly made token.
     *
     * @param token  the full token, to hand to its user (never stored)
     * @param record what is stored
     */
    public record Issued(String token, TokenRecord record)
    {
    }

    /**
     * Tokens kept in a store.
     *
     * @param store the store
     */
    public Tokens(final JobStore store)
    {
        this.store = store;
        for (final TokenRecord record : store.tokens())
        {
            cache.put(record.id(), record);
        }
    }

    /**
     * Makes a token.
     *
     * @param name a label
     * @param user the user it acts as
     * @param role its role
     * @return the token (shown once) and its record
     * @throws IllegalArgumentException if the user or name is not a plain name
     */
    public Issued create(final String name, final String user, final Role role)
    {
        return create(name, user, role, List.of());
    }

    /**
     * Makes a token whose jobs get default webhooks: a job submitted with it that names no webhooks of its own gets
     * these (a job that names some, or an empty list, keeps its own).
     *
     * @param name     a label
     * @param user     the user it acts as
     * @param role     its role
     * @param webhooks its default webhooks, secrets included
     * @return the token (shown once) and its record
     * @throws IllegalArgumentException if the user or name is not a plain name
     */
    public Issued create(final String name, final String user, final Role role, final List<Webhook> webhooks)
    {
        if (!USER.matcher(user).matches())
        {
            throw new IllegalArgumentException("user '" + user + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (name.isBlank() || name.length() > 128)
        {
            throw new IllegalArgumentException("token name must be 1-128 characters, got " + name.length());
        }
        final byte[] idBytes = new byte[8];
        final byte[] secretBytes = new byte[32];
        random.nextBytes(idBytes);
        random.nextBytes(secretBytes);
        final String id = HexFormat.of().formatHex(idBytes);
        final String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        final TokenRecord record = new TokenRecord(id, name, user, role.name().toLowerCase(Locale.ROOT),
            hash(secret), Instant.now(), null, webhooks);
        store.insertToken(record);
        cache.put(id, record);
        return new Issued("cohort_" + id + "_" + secret, record);
    }

    /**
     * Establishes the caller of a request.
     *
     * @param authorization the {@code Authorization} header, or null
     * @return the caller
     * @throws AuthException if the header is missing or the token is malformed, unknown or revoked
     */
    public Caller authenticate(final String authorization) throws AuthException
    {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            throw new AuthException("missing 'Authorization: Bearer TOKEN' header; your token is in client.json "
                + "(made by cohort head init or cohort token create)");
        }
        final var match = TOKEN.matcher(authorization.substring(7).strip());
        if (!match.matches())
        {
            throw new AuthException("malformed token: expected cohort_<16 hex>_<43 characters>");
        }
        final TokenRecord record = cache.get(match.group(1));
        if (record == null || !MessageDigest.isEqual(record.hash().getBytes(StandardCharsets.US_ASCII),
            hash(match.group(2)).getBytes(StandardCharsets.US_ASCII)))
        {
            throw new AuthException("unknown token; ask an admin for one (cohort token create)");
        }
        if (record.revokedAt() != null)
        {
            throw new AuthException("token " + record.id() + " was revoked at " + record.revokedAt()
                + "; ask an admin for a new one");
        }
        return new Caller(record.user(), Role.valueOf(record.role().toUpperCase(Locale.ROOT)), record.id());
    }

    /**
     * Whether a token still works: known and not revoked. Sessions and open event streams ask this, so revoking a
     * token ends what was opened with it.
     *
     * @param id the token's public id
     * @return true if requests with it would be accepted
     */
    public boolean live(final String id)
    {
        final TokenRecord record = cache.get(id);
        return record != null && record.revokedAt() == null;
    }

    /**
     * A token's default webhooks.
     *
     * @param id the token's public id
     * @return its webhooks, secrets included; empty for a token without (or an unknown one)
     */
    public List<Webhook> defaultWebhooks(final String id)
    {
        final TokenRecord record = cache.get(id);
        return record == null ? List.of() : record.webhooks();
    }

    /**
     * Every token (without secrets).
     *
     * @return the records
     */
    public List<TokenRecord> list()
    {
        return store.tokens();
    }

    /** Revoking the last live admin token would leave no one able to manage the head node. */
    public static final class LastAdminException extends Exception
    {
        private static final long serialVersionUID = 1L;

        LastAdminException(final String id)
        {
            super("token " + id + " is the last live admin token; create another admin token first (cohort token "
                + "create --role admin), then revoke this one");
        }
    }

    /**
     * Revokes a token; requests with it fail from now on. The last live admin token cannot be revoked.
     *
     * @param id the token's id
     * @return the revoked record, or empty if there was no such live token
     * @throws LastAdminException if it is the last live admin token
     */
    public synchronized Optional<TokenRecord> revoke(final String id) throws LastAdminException
    {
        final List<TokenRecord> live = store.tokens().stream().filter(t -> t.revokedAt() == null).toList();
        final boolean admin = live.stream().anyMatch(t -> t.id().equals(id) && "admin".equals(t.role()));
        if (admin && live.stream().filter(t -> "admin".equals(t.role())).count() == 1)
        {
            throw new LastAdminException(id);
        }
        if (!store.revokeToken(id, Instant.now()))
        {
            return Optional.empty();
        }
        final TokenRecord revoked = store.tokens().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
        cache.put(id, revoked);
        return Optional.of(revoked);
    }

    private static String hash(final String secret)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(secret.getBytes(StandardCharsets.US_ASCII)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every Java runtime has SHA-256", ex);
        }
    }
}
