package io.cohort.examples;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.ReduceOp;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Sorts random longs spread over the ranks by sample sort: each rank sorts its share, the ranks agree on
 * splitters from a regular sample (allgather), every rank sends each other rank the keys that fall in its range
 * (alltoall for the counts, alltoallv for the keys), and sorts what it receives. Rank 0 checks that the result is
 * globally sorted (every rank's last key below the next rank's first) and that no key was lost (allreduce of counts
 * and of a checksum).
 * <pre>{@code cohort run -n 4 -cp examples/target/cohort-examples.jar io.cohort.examples.SampleSort 1000000}</pre>
 */
public final class SampleSort
{
    private SampleSort()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args optionally the number of keys per rank (default 200000)
     */
    public static void main(final String[] args)
    {
        final int perRank = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int size = world.size();
            final long[] keys = new SplittableRandom(20261122L + rank).longs(perRank).toArray();
            final long[] before = {keys.length, checksum(keys)};
            Arrays.sort(keys);

            // Regular sampling: size - 1 samples per rank, then size - 1 splitters from all samples.
            final long[] samples = new long[size - 1];
            for (int i = 0; i < samples.length; i++)
            {
                samples[i] = keys[(int) ((long) (i + 1) * keys.length / size)];
            }
            final long[] allSamples = new long[samples.length * size];
            world.allgather(samples, 0, samples.length, allSamples, 0);
            Arrays.sort(allSamples);
            final long[] splitters = new long[size - 1];
            for (int i = 0; i < splitters.length; i++)
            {
                splitters[i] = allSamples[(i + 1) * samples.length];
            }

            // Keys below splitter[q] and at or above splitter[q - 1] go to rank q.
            final int[] sendCounts = new int[size];
            final int[] sendDispls = new int[size];
            for (int q = 0, start = 0; q < size; q++)
            {
                int end = start;
                while (end < keys.length && (q == size - 1 || keys[end] < splitters[q]))
                {
                    end++;
                }
                sendDispls[q] = start;
                sendCounts[q] = end - start;
                start = end;
            }
            final int[] recvCounts = new int[size];
            world.alltoall(sendCounts, 0, recvCounts, 0, 1);
            final int[] recvDispls = new int[size];
            int total = 0;
            for (int q = 0; q < size; q++)
            {
                recvDispls[q] = total;
                total += recvCounts[q];
            }
            final long[] mine = new long[total];
            world.alltoallv(keys, sendCounts, sendDispls, mine, recvCounts, recvDispls);
            Arrays.sort(mine);

            final long[] after = {mine.length, checksum(mine)};
            final long[] totalsBefore = new long[2];
            final long[] totalsAfter = new long[2];
            world.allreduce(before, 0, totalsBefore, 0, 2, ReduceOp.SUM);
            world.allreduce(after, 0, totalsAfter, 0, 2, ReduceOp.SUM);
            // Each rank's first and last key, gathered at rank 0 to check the order across ranks.
            final long[] ends = {mine.length > 0 ? mine[0] : Long.MAX_VALUE, mine.length > 0 ? mine[total - 1]
                : Long.MIN_VALUE, mine.length};
            final long[] allEnds = new long[3 * size];
            world.gather(ends, 0, 3, allEnds, 0, 0);
            if (rank == 0)
            {
                boolean ordered = true;
                long previousLast = Long.MIN_VALUE;
                for (int q = 0; q < size; q++)
                {
                    if (allEnds[3 * q + 2] > 0)
                    {
                        ordered &= previousLast <= allEnds[3 * q];
                        previousLast = allEnds[3 * q + 1];
                    }
                }
                final boolean ok = ordered && Arrays.equals(totalsBefore, totalsAfter);
                System.out.printf("sort: %s, %d keys on %d ranks%n", ok ? "OK" : "FAILED", totalsAfter[0], size);
                if (!ok)
                {
                    System.exit(1);
                }
            }
        }
    }

    private static long checksum(final long[] keys)
    {
        long sum = 0;
        for (final long key : keys)
        {
            sum += key * 0x9E3779B97F4A7C15L;
        }
        return sum;
    }
}
