package io.cohort.head.store;

import io.cohort.head.job.Webhook;

import java.time.Instant;
import java.util.List;

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
 * @param webhooks  its default webhooks (secrets included), for jobs submitted with it that name none
 */
public record TokenRecord(String id, String name, String user, String role, String hash, Instant createdAt,
    Instant revokedAt, List<Webhook> webhooks)
{
    /** Copies the list. */
    public TokenRecord
    {
        webhooks = List.copyOf(webhooks);
    }
}
