package io.cohort.head.schedule;

import java.time.Duration;

/**
 * The tunables of a scheduling pass.
 *
 * <pre>{@code
 * new SchedulingPolicy(Duration.ofMinutes(1), 1000); // +1 priority per minute waited, at most +1000
 * }</pre>
 *
 * @param agingStep waiting this long raises a job's effective priority by one, so nothing waits forever behind a
 *                  stream of higher-priority work
 * @param agingCap  the most aging may add
 */
public record SchedulingPolicy(Duration agingStep, int agingCap)
{
    /**
     * Checks the step.
     *
     * @param agingStep step
     * @param agingCap  cap
     */
    public SchedulingPolicy
    {
        if (agingStep.isNegative() || agingStep.isZero() || agingCap < 0)
        {
            throw new IllegalArgumentException("aging step " + agingStep + " and cap " + agingCap);
        }
    }

    /**
     * One priority point per minute waited, at most 1000 points.
     *
     * @return the head node's default
     */
    public static SchedulingPolicy defaults()
    {
        return new SchedulingPolicy(Duration.ofMinutes(1), 1000);
    }
}
