package io.cohort.cli;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.ReduceOp;
import io.cohort.mpi.ReduceOperation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Runs the collectives that go in two levels when a communicator spans hosts (allreduce, bcast, barrier) at
 * small and large sizes, checks every answer against its serial value, then checks that this rank's own
 * shared-memory collective region exists: proof that the call went through shared memory inside the host rather
 * than through messages only. Rank 0 prints {@code COLLECTIVES OK} when every rank passed.
 */
public final class CollectivesAcrossHostsJob
{
    private CollectivesAcrossHostsJob()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args unused
     * @throws IOException if /dev/shm cannot be listed
     */
    public static void main(final String[] args) throws IOException
    {
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int size = world.size();
            // Above a 256 KiB slot, so the host's part runs in chunks and the leaders' part by the ring.
            for (final int count : new int[] {8, 100_000})
            {
                final double[] mine = new double[count];
                final double[] sum = new double[count];
                for (int i = 0; i < count; i++)
                {
                    mine[i] = rank * 1_000.0 + i;
                }
                world.allreduce(mine, 0, sum, 0, count, ReduceOp.SUM);
                for (int i = 0; i < count; i++)
                {
                    // Whole numbers below 2^53: the sum is exact in any order.
                    final double expected = 1_000.0 * size * (size - 1) / 2 + (double) size * i;
                    check(sum[i] == expected, rank, "allreduce of " + count + " doubles: element " + i + " is "
                        + sum[i] + ", expected " + expected);
                }
            }
            final long[] max = new long[1];
            world.allreduce(new long[] {rank * 7L}, 0, max, 0, 1, ReduceOperation.ofLongs(Math::max, true));
            check(max[0] == (size - 1) * 7L, rank, "user-defined max is " + max[0]);
            // From the last rank, which lives on another host than rank 0.
            final int root = size - 1;
            for (final int length : new int[] {64, 1 << 20})
            {
                final byte[] buffer = new byte[length];
                if (rank == root)
                {
                    for (int i = 0; i < length; i++)
                    {
                        buffer[i] = (byte) (i * 31 + 7);
                    }
                }
                world.bcast(buffer, 0, length, root);
                for (int i = 0; i < length; i++)
                {
                    check(buffer[i] == (byte) (i * 31 + 7), rank, "bcast of " + length + " bytes: byte " + i);
                }
            }
            for (int i = 0; i < 20; i++)
            {
                world.barrier();
            }
            final String prefix = "cohort-" + System.getenv("COHORT_JOB_ID") + "-" + rank + "-n";
            final String dir = System.getenv().getOrDefault("COHORT_SHM_DIR", "/dev/shm");
            try (Stream<Path> files = Files.list(Path.of(dir)))
            {
                check(files.anyMatch(f -> f.getFileName().toString().startsWith(prefix)), rank,
                    "no shared-memory collective region " + prefix + "* in " + dir);
            }
            final int[] passed = new int[1];
            world.allreduce(new int[] {1}, 0, passed, 0, 1, ReduceOp.SUM);
            if (rank == 0)
            {
                System.out.println("COLLECTIVES OK " + passed[0] + " of " + size + " ranks");
                System.out.flush();
            }
        }
    }

    private static void check(final boolean condition, final int rank, final String what)
    {
        if (!condition)
        {
            throw new IllegalStateException("rank " + rank + ": " + what);
        }
    }
}
