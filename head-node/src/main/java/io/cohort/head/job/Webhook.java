package io.cohort.head.job;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A URL the head node POSTs a job's events to, signed with the hook's secret (see the webhook notes for the
 * {@code Cohort-Signature} scheme).
 * <pre>{@code
 * new Webhook("https://ci.example.org/cohort", List.of("job.state", "job.progress"), Webhook.newSecret());
 * }</pre>
 *
 * @param url    where to POST: http or https, with a host
 * @param events the event kinds wanted, from {@link #KINDS}
 * @param secret the HMAC-SHA256 key the deliveries are signed with (never shown after submission)
 */
public record Webhook(String url, List<String> events, String secret)
{
    /** The event kinds a hook may ask for: the job events of the event log. */
    public static final Set<String> KINDS = Set.of("job.submitted", "job.state", "job.progress", "attempt.started",
        "attempt.ended");
    /** The event kinds of a hook that names none: every job event. */
    public static final List<String> ALL = List.of("job.submitted", "job.state", "job.progress", "attempt.started",
        "attempt.ended");
    /** The prefix of generated secrets. */
    public static final String SECRET_PREFIX = "whsec_";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Copies the list. */
    public Webhook
    {
        events = List.copyOf(events);
    }

    /**
     * A new random secret: {@code whsec_} and 64 hex digits (256 bits).
     *
     * @return the secret
     */
    public static String newSecret()
    {
        final byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return SECRET_PREFIX + HexFormat.of().formatHex(bytes);
    }

    /**
     * Whether this hook wants events of a kind.
     *
     * @param kind the event's kind
     * @return true if it is one of {@link #events()}
     */
    public boolean wants(final String kind)
    {
        return events.contains(kind);
    }
}
