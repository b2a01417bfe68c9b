package io.cohort.head.schedule;

import io.cohort.head.job.RankBlock;

import java.time.Instant;
import java.util.List;

/**
 * What one scheduling pass decided.
 *
 * @param starts      jobs to start now, in the order chosen, each with every one of its ranks placed
 * @param reservation the first job in line that could not start, with when and where it will, or null
 * @param tooLarge    jobs that cannot fit even on an empty cluster of the nodes now UP (they wait without blocking
 *                    others)
 */
public record Decision(List<Start> starts, Reservation reservation, List<Long> tooLarge)
{
    /**
     * Copies the lists.
     *
     * @param starts      starts
     * @param reservation reservation or null
     * @param tooLarge    too large
     */
    public Decision
    {
        starts = List.copyOf(starts);
        tooLarge = List.copyOf(tooLarge);
    }

    /**
     * A job started with all of its ranks placed.
     *
     * @param jobId      the job
     * @param placement  its ranks on each node
     * @param backfilled whether it started ahead of the job holding the reservation
     */
    public record Start(long jobId, List<RankBlock> placement, boolean backfilled)
    {
        /**
         * Copies the placement.
         *
         * @param jobId      job
         * @param placement  placement
         * @param backfilled backfilled
         */
        public Start
        {
            placement = List.copyOf(placement);
        }
    }

    /**
     * The slots promised to the first job in line that could not start (EASY backfill keeps one such promise).
     *
     * @param jobId     the job
     * @param at        when running jobs' time limits free enough slots, or null when some running job has no time
     *                  limit (then only slots the reservation does not need are backfilled)
     * @param placement where it will run
     */
    public record Reservation(long jobId, Instant at, List<RankBlock> placement)
    {
        /**
         * Copies the placement.
         *
         * @param jobId     job
         * @param at        time or null
         * @param placement placement
         */
        public Reservation
        {
            placement = List.copyOf(placement);
        }
    }
}
