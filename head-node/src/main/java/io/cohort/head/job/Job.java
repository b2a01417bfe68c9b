package io.cohort.head.job;

import java.time.Instant;

/**
 * A stored job as the head node knows it.
 *
 * @param id          the job id, given at submission
 * @param owner       the user whose token submitted it
 * @param spec        what was asked
 * @param state       where it is
 * @param attempts    attempts made so far
 * @param retryBase   attempts made before the last requeue (the retry budget counts from here)
 * @param submittedAt when it was acknowledged
 * @param endedAt     when it reached its final state, or null
 * @param progress    the latest progress its current attempt's rank 0 reported, or null
 */
public record Job(long id, String owner, JobSpec spec, JobState state, int attempts, int retryBase,
    Instant submittedAt, Instant endedAt, Progress progress)
{
}
