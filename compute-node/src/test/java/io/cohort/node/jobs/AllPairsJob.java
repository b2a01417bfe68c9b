package io.cohort.node.jobs;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.Request;

/** Every rank exchanges messages of three sizes (eager, fragments, single copy) with every other rank. */
public final class AllPairsJob
{
    private AllPairsJob()
    {
    }

    /**
     * Runs one rank; prints "all-pairs OK" on rank 0 when every check passed.
     *
     * @param args unused
     */
    public static void main(final String[] args)
    {
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int size = world.size();
            JobIdLine.print(world);
            for (final int n : new int[] {1, 16 * 1024, 256 * 1024})
            {
                final Request[] sends = new Request[size];
                final long[][] outs = new long[size][];
                for (int peer = 0; peer < size; peer++)
                {
                    if (peer != rank)
                    {
                        outs[peer] = new long[n];
                        java.util.Arrays.fill(outs[peer], rank * 1000L + peer);
                        sends[peer] = world.isend(outs[peer], 0, n, peer, n);
                    }
                }
                final long[] in = new long[n];
                for (int peer = 0; peer < size; peer++)
                {
                    if (peer != rank)
                    {
                        world.recv(in, 0, n, peer, n);
                        if (in[0] != peer * 1000L + rank || in[n - 1] != peer * 1000L + rank)
                        {
                            throw new IllegalStateException("rank " + rank + " got " + in[0] + " from " + peer);
                        }
                    }
                }
                Request.waitAll(sends);
            }
            world.barrier();
            if (rank == 0)
            {
                System.out.println("all-pairs OK on " + size + " ranks");
            }
        }
    }
}
