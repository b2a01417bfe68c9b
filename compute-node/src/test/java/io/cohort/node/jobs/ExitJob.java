package io.cohort.node.jobs;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;

/**
 * Rank 1 exits with a given code mid-run (printing when) while the others wait for a message from it.
 *
 * <p>Arguments: exit code.
 */
public final class ExitJob
{
    private ExitJob()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args the exit code for rank 1
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int code = Integer.parseInt(args[0]);
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            world.barrier();
            JobIdLine.print(world);
            if (world.rank() == 1)
            {
                Thread.sleep(300);
                System.out.println("EXITING-AT " + System.currentTimeMillis());
                System.out.flush();
                Runtime.getRuntime().halt(code);
            }
            world.recv(new byte[8], 0, 8, 1, 0);
        }
    }
}
