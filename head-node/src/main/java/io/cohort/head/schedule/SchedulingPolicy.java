package io.cohort.head.schedule;

import io.cohort.head.job.JobSpecCodec;

import java.time.Duration;

/**
 * The tunables of a scheduling pass.
 *
 * <pre>{@code
 * new SchedulingPolicy(Duration.ofMinutes(1), 20_000); // +1 priority per minute waited, at most +20000
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
     * The most aging adds by default: the whole range of priorities, so a job of the lowest priority in time outranks
     * a new job of the highest. A smaller cap would let a steady stream of work more than the cap above a job starve
     * it for ever.
     */
    public static final int DEFAULT_AGING_CAP = 2 * JobSpecCodec.MAX_PRIORITY;

    /**
     * One priority point per minute waited, at most {@link #DEFAULT_AGING_CAP} points.
     *
     * @return the head node's default
     */
    public static SchedulingPolicy defaults()
    {
        return new SchedulingPolicy(Duration.ofMinutes(1), DEFAULT_AGING_CAP);
    }
}
