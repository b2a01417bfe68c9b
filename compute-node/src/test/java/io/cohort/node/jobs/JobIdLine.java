package io.cohort.node.jobs;

import io.cohort.mpi.Communicator;
import io.cohort.wireup.JobEnvironment;

/**
 * Rank 0 prints "JOB id": tests look for the job's own shared-memory files by it, so a job run by another test at the
 * same time on the machine does not count.
 */
final class JobIdLine
{
    /** The start of the line. */
    static final String PREFIX = "JOB ";

    private JobIdLine()
    {
    }

    static void print(final Communicator world)
    {
        if (world.rank() == 0)
        {
            System.out.println(PREFIX + System.getenv(JobEnvironment.JOB_ID));
            System.out.flush();
        }
    }
}
