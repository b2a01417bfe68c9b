package io.cohort.node.jobs;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.PeerFailedException;
import io.cohort.mpi.Request;

/**
 * Rank 0 prints its pid and sleeps (to be killed); every other rank waits for a message from rank 0 (rank 1 in a
 * blocking receive, rank 2 in {@code Request.waitAny}, rank 3 polling {@code test()}) and, when that raises, prints
 * the failure and exits 42.
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
            JobIdLine.print(world);
            if (world.rank() == 0)
            {
                System.out.println("PID " + ProcessHandle.current().pid());
                System.out.flush();
                Thread.sleep(60_000);
                return;
            }
            try
            {
                if (world.rank() == 1)
                {
                    world.recv(new byte[8], 0, 8, 0, 0);
                }
                else if (world.rank() == 2)
                {
                    Request.waitAny(world.irecv(new byte[8], 0, 8, 0, 0), world.irecv(new long[1], 0, 1, 0, 1));
                }
                else
                {
                    final Request polled = world.irecv(new byte[8], 0, 8, 0, 0);
                    while (!polled.test())
                    {
                        Thread.onSpinWait();
                    }
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
