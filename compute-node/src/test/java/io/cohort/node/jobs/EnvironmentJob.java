package io.cohort.node.jobs;

import io.cohort.mpi.Cohort;

/** Prints its rank, size and the variable named by its first argument. */
public final class EnvironmentJob
{
    private EnvironmentJob()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args the name of a variable to print
     */
    public static void main(final String[] args)
    {
        try (Cohort cohort = Cohort.init(args))
        {
            System.out.println("rank=" + cohort.world().rank() + " size=" + cohort.world().size() + " "
                + args[0] + "=" + System.getenv(args[0]));
        }
    }
}
