package io.cohort.head.job;

import java.time.Instant;
import java.util.List;

/**
 * One try at running a job: where its ranks were placed and how it ended. A job keeps all of its attempts, so a
 * DEAD_LETTER job still shows why each attempt failed.
 *
 * @param jobId     the job
 * @param number    1 for the first attempt
 * @param status    how the attempt stands
 * @param placement the ranks on each node
 * @param startedAt when its launches were sent
 * @param endedAt   when its last rank was known to be gone, or null
 * @param exitCode  the first failing rank's exit code (0 when all succeeded), or null
 * @param reason    what ended it, for people, or null
 */
public record Attempt(long jobId, int number, Status status, List<RankBlock> placement, Instant startedAt,
    Instant endedAt, Integer exitCode, String reason)
{
    /** How an attempt stands. */
    public enum Status
    {
        /** Launched; some rank may still run. */
        ACTIVE,
        /** Every rank exited with 0. */
        SUCCEEDED,
        /** A rank exited with a non-zero code, or a launch failed. */
        FAILED,
        /** A node holding its ranks went down. */
        NODE_LOST,
        /** Stopped by a cancel. */
        CANCELLED,
        /** Stopped at the time limit. */
        TIMED_OUT,
        /** Stopped by a requeue. */
        REQUEUED
    }

    /**
     * Copies the placement.
     *
     * @param jobId     job
     * @param number    number
     * @param status    status
     * @param placement placement
     * @param startedAt start
     * @param endedAt   end or null
     * @param exitCode  exit code or null
     * @param reason    reason or null
     */
    public Attempt
    {
        placement = List.copyOf(placement);
    }
}
