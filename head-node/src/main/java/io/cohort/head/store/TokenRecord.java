package io.cohort.head.store;

import java.time.Instant;

/**
 * A stored API token: only the SHA-256 of its secret part is kept.
 *
 * @param id        the public part of the token, shown in lists
 * @param name      a label for people
 * @param user      the user it acts as
 * @param role      {@code user} or {@code admin}
 * @param hash      SHA-256 (hex) of the secret part
 * @param createdAt when it was made
 * @param revokedAt when it was revoked, or null
 */
public record TokenRecord(String id, String name, String user, String role, String hash, Instant createdAt,
    Instant revokedAt)
{
}
