package io.cohort.node.jobs;

import io.cohort.mpi.Cohort;

/** Rank 1 returns at once without joining the job; the others try to join and must not wait for it forever. */
public final class EarlyExitJob
{
    private EarlyExitJob()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args unused
     */
    public static void main(final String[] args)
    {
        if ("1".equals(System.getenv("COHORT_RANK")))
        {
            return;
        }
        try (Cohort cohort = Cohort.init(args))
        {
            cohort.world().barrier();
        }
    }
}
