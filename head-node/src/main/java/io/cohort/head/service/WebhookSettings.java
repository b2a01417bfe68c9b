package io.cohort.head.service;

import java.time.Duration;

/**
 * How the head node delivers webhooks.
 * <pre>{@code
 * WebhookSettings settings = new WebhookSettings(8, Duration.ofSeconds(1), Duration.ofSeconds(10), 4);
 * }</pre>
 *
 * @param maxAttempts  POSTs per delivery before it is FAILED, the first included (1..100)
 * @param firstBackoff the wait before the second attempt, doubled before each later one (at most 1 hour per wait)
 * @param timeout      how long one POST may take, connecting included
 * @param concurrency  deliveries in flight at once (threads of the delivery executor, 1..64)
 */
public record WebhookSettings(int maxAttempts, Duration firstBackoff, Duration timeout, int concurrency)
{
    /** The longest wait between two attempts. */
    public static final Duration MAX_BACKOFF = Duration.ofHours(1);

    /** Checks the values. */
    public WebhookSettings
    {
        if (maxAttempts < 1 || maxAttempts > 100)
        {
            throw new IllegalArgumentException("webhook attempts " + maxAttempts + " must be 1 to 100");
        }
        if (firstBackoff.isNegative() || firstBackoff.compareTo(MAX_BACKOFF) > 0)
        {
            throw new IllegalArgumentException("webhook backoff " + firstBackoff + " must be 0 to 1 hour");
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0)
        {
            throw new IllegalArgumentException("webhook timeout " + timeout + " must be more than 0 and at most 5 "
                + "minutes");
        }
        if (concurrency < 1 || concurrency > 64)
        {
            throw new IllegalArgumentException("webhook concurrency " + concurrency + " must be 1 to 64");
        }
    }

    /**
     * 8 attempts (waits of 1, 2, 4 ... 64 s: about 2 minutes in all), 10 s per POST, 4 at once.
     *
     * @return the defaults
     */
    public static WebhookSettings defaults()
    {
        return new WebhookSettings(8, Duration.ofSeconds(1), Duration.ofSeconds(10), 4);
    }

    /**
     * The wait after a given failed attempt: firstBackoff × 2^(attempt − 1), at most {@link #MAX_BACKOFF}.
     *
     * @param attempt the attempt that failed, from 1
     * @return the wait before the next
     */
    public Duration backoffAfter(final int attempt)
    {
        final int doublings = Math.min(attempt - 1, 30);
        final Duration wait = firstBackoff.multipliedBy(1L << doublings);
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }
}
