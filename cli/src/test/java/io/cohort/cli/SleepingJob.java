package io.cohort.cli;

import io.cohort.mpi.Cohort;

/** Joins the job, takes some shared memory, says READY and sleeps: a job to interrupt. */
public final class SleepingJob
{
    private SleepingJob()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args unused
     */
    public static void main(final String[] args) throws InterruptedException
    {
        try (Cohort cohort = Cohort.init(args))
        {
            cohort.allocate(1 << 20);
            cohort.world().barrier();
            System.out.println("READY " + cohort.jobId());
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
