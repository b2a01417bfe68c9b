package io.cohort.head.schedule;

import io.cohort.head.job.RankBlock;

import java.time.Instant;
import java.util.List;

/**
 * Slots held by an attempt that runs (or is still stopping).
 *
 * @param jobId       the job
 * @param blocks      its ranks on each node
 * @param expectedEnd when its time limit ends it, or null if it has none (it may hold its slots forever)
 */
public record Allocation(long jobId, List<RankBlock> blocks, Instant expectedEnd)
{
    /**
     * Copies the blocks.
     *
     * @param jobId       job
     * @param blocks      blocks
     * @param expectedEnd end or null
     */
    public Allocation
    {
        blocks = List.copyOf(blocks);
    }
}
