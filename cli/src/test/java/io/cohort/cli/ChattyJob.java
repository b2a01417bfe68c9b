package io.cohort.cli;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.ReduceOp;

/**
 * Every rank exchanges small and large messages with every other, checks them, and allreduces a checksum; with
 * the argument {@code forever} it then keeps exchanging until it is killed (a job to cut in two), with
 * {@code for:SECONDS} for that long.
 */
public final class ChattyJob
{
    private ChattyJob()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args {@code forever} to keep going after the check
     */
    public static void main(final String[] args)
    {
        final boolean forever = args.length > 0 && "forever".equals(args[0]);
        final long seconds = args.length > 0 && args[0].startsWith("for:") ? Long.parseLong(args[0].substring(4)) : 0;
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int size = world.size();
            long sum = 0;
            for (final int length : new int[] {8, 4_096, 300_000})
            {
                final long[] out = new long[length / 8];
                final long[] in = new long[length / 8];
                for (int shift = 1; shift < size; shift++)
                {
                    final int to = (rank + shift) % size;
                    final int from = (rank - shift + size) % size;
                    for (int i = 0; i < out.length; i++)
                    {
                        out[i] = rank * 1_000_003L + to * 7L + i;
                    }
                    world.sendrecv(out, 0, out.length, to, 5, in, 0, in.length, from, 5);
                    for (int i = 0; i < in.length; i++)
                    {
                        if (in[i] != from * 1_000_003L + rank * 7L + i)
                        {
                            throw new IllegalStateException("rank " + rank + " got a wrong word " + i + " from "
                                + from);
                        }
                        sum += in[i];
                    }
                }
            }
            final long[] total = new long[1];
            world.allreduce(new long[] {sum}, 0, total, 0, 1, ReduceOp.SUM);
            if (rank == 0)
            {
                System.out.println("CHATTY OK " + size + " ranks, checksum " + total[0]);
                System.out.flush();
            }
            final long[] one = {1};
            final long[] beats = new long[1];
            final long until = System.nanoTime() + seconds * 1_000_000_000L;
            final long[] more = {1};
            while (forever || more[0] != 0)
            {
                world.allreduce(one, 0, beats, 0, 1, ReduceOp.SUM);
                // Rank 0's clock decides for everyone, so every rank leaves the loop after the same allreduce.
                more[0] = rank == 0 && System.nanoTime() < until ? 1 : 0;
                world.bcast(more, 0, 1, 0);
            }
            if (seconds > 0 && rank == 0)
            {
                System.out.println("CHATTY DONE after " + seconds + " s");
                System.out.flush();
            }
        }
    }
}
