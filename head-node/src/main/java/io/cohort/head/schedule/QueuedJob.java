package io.cohort.head.schedule;

import io.cohort.head.job.Layout;

import java.time.Duration;
import java.time.Instant;

/**
 * A job that may start now, as the scheduler sees it (held jobs, jobs in backoff and jobs whose dependencies are not
 * met are not handed to the scheduler at all).
 *
 * @param id          the job id (ties after priority and submission time)
 * @param priority    the user's priority
 * @param submittedAt when it entered the queue (aging counts from here)
 * @param ranks       how many slots it needs at once
 * @param layout      how they must spread over nodes
 * @param timeLimit   its time limit, or null (then it only backfills into slots no reservation needs)
 */
public record QueuedJob(long id, int priority, Instant submittedAt, int ranks, Layout layout, Duration timeLimit)
{
}
