package io.cohort.head.job;

import java.time.Duration;
import java.util.Set;

/**
 * When a failed attempt is tried again.
 *
 * <pre>{@code
 * new RetryPolicy(3, Set.of(75), Duration.ofSeconds(5), true); // up to 3 attempts, retry exit code 75 only
 * }</pre>
 *
 * @param maxAttempts       attempts in all, the first included (1: never retried)
 * @param retryExitCodes    the exit codes that are retried; empty: every non-zero code
 * @param backoff           the wait before the second attempt, doubled before each further one
 * @param requeueOnNodeLoss whether an attempt whose node died is started again (the whole gang) rather than failed
 */
public record RetryPolicy(int maxAttempts, Set<Integer> retryExitCodes, Duration backoff, boolean requeueOnNodeLoss)
{
    /** The longest wait between attempts, however many there were. */
    public static final Duration MAX_BACKOFF = Duration.ofHours(1);

    /**
     * Copies the codes and checks the bounds.
     *
     * @param maxAttempts       attempts in all
     * @param retryExitCodes    retried exit codes
     * @param backoff           first wait
     * @param requeueOnNodeLoss requeue on node loss
     */
    public RetryPolicy
    {
        if (maxAttempts < 1)
        {
            throw new IllegalArgumentException("maxAttempts " + maxAttempts + " < 1");
        }
        retryExitCodes = Set.copyOf(retryExitCodes);
        if (backoff.isNegative())
        {
            throw new IllegalArgumentException("negative backoff " + backoff);
        }
    }

    /**
     * No retries on failure; an attempt lost with its node is started again.
     *
     * @return the default policy
     */
    public static RetryPolicy none()
    {
        return new RetryPolicy(1, Set.of(), Duration.ZERO, true);
    }

    /**
     * Whether this exit code is worth another attempt.
     *
     * @param exitCode a failing attempt's exit code
     * @return true if the policy retries it
     */
    public boolean retries(final int exitCode)
    {
        return exitCode != 0 && (retryExitCodes.isEmpty() || retryExitCodes.contains(exitCode));
    }

    /**
     * The wait before the next attempt.
     *
     * @param failedAttempts attempts failed so far under this policy (at least 1)
     * @return backoff doubled per earlier failure, at most {@link #MAX_BACKOFF}
     */
    public Duration delayAfter(final int failedAttempts)
    {
        Duration delay = backoff;
        for (int i = 1; i < failedAttempts && delay.compareTo(MAX_BACKOFF) < 0; i++)
        {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay;
    }
}
