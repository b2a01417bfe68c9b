package io.cohort.head.service;

import io.cohort.head.job.Job;

import java.util.List;

/**
 * The waiting jobs in scheduling order, as {@link HeadNode#queueOrder()} sees them now.
 *
 * <pre>{@code
 * QueueOrder order = head.queueOrder();
 * Job next = order.inLine() > 0 ? order.jobs().get(0) : null; // the job the scheduler tries first
 * }</pre>
 *
 * @param jobs   PENDING and HELD jobs: first those in line, in the order the scheduler tries them, then the rest
 * @param inLine how many of the first jobs the scheduler may start now (the rest wait for backoff, dependencies or
 *               a release)
 */
public record QueueOrder(List<Job> jobs, int inLine)
{
    /** Copies the list so the record stays immutable. */
    public QueueOrder
    {
        jobs = List.copyOf(jobs);
    }
}
