package io.cohort.node.jobs;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.PeerFailedException;
import io.cohort.mpi.Request;

/**
 * Rank 0 prints its pid and sleeps (to be killed); every other rank waits for a message from rank 0 (odd ranks in
 * a blocking receive, even ones in {@code Request.waitAny}) and, when it raises, prints the failure and exits 42.
 */
public final class WaitForPeerJob
{
    private WaitForPeerJob()
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
            final Communicator world = cohort.world();
            world.barrier();
            if (world.rank() == 0)
            {
                System.out.println("PID " + ProcessHandle.current().pid());
                System.out.flush();
                Thread.sleep(60_000);
                return;
            }
            try
            {
                if (world.rank() % 2 == 1)
                {
                    world.recv(new byte[8], 0, 8, 0, 0);
                }
                else
                {
                    Request.waitAny(world.irecv(new byte[8], 0, 8, 0, 0), world.irecv(new long[1], 0, 1, 0, 1));
                }
            }
            catch (final PeerFailedException ex)
            {
                System.out.println("PEER-FAILED rank=" + ex.failedRank() + " " + ex.getMessage());
                System.out.flush();
                Runtime.getRuntime().halt(42);
            }
        }
    }
}
