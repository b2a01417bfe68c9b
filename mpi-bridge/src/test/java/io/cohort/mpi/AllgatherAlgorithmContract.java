package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.collective.TunedCollective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.cohort.mpi.CollectiveReference.SEED;
import static io.cohort.mpi.CollectiveReference.element;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every allgather algorithm must do on 1, 2, 3, 5 and 8 ranks and on a split part: put every rank's block at
 * its place on every rank, for every element type, at offsets, for small and large blocks, in place (the send
 * block already at its place in the receive buffer) and nonblocking, leaving the elements around the result alone.
 * One subclass per algorithm.
 */
abstract class AllgatherAlgorithmContract
{
    private static final int[] COUNTS = {0, 1, 3, 250, 9_000, 40_000};

    /**
     * The tuning every rank uses: the algorithm under test forced.
     *
     * @return the tuning
     */
    abstract CollectiveTuning tuning();

    static CollectiveTuning forcing(final CollectiveAlgorithm algorithm)
    {
        return CollectiveTuning.defaults().forcing(TunedCollective.ALLGATHER, algorithm);
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void everyRankGetsEveryBlockInItsPlaceForEveryTypeAndCount(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            checkAllgathers(world);
        });
    }

    @Test
    void aSplitCommunicatorGathersOnlyItsOwnRanks()
    {
        ThreadedJob.run(8, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final Communicator part = world.split(world.rank() < 3 ? 0 : 1, -world.rank());
            checkAllgathers(part);
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {3, 8})
    void nonblockingAllgathersInFlightTogetherEachFillTheirBuffer(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final int[] counts = {2, 700, 6000};
            final long[][] gathered = new long[counts.length][];
            final Request[] requests = new Request[counts.length];
            for (int k = 0; k < counts.length; k++)
            {
                final long[] mine = new long[counts[k]];
                for (int i = 0; i < counts[k]; i++)
                {
                    mine[i] = element(rank, k, i);
                }
                gathered[k] = new long[size * counts[k]];
                requests[k] = world.iallgather(mine, 0, counts[k], gathered[k], 0);
            }
            for (int k = counts.length - 1; k >= 0; k--)
            {
                requests[k].await();
                for (int r = 0; r < size; r++)
                {
                    for (int i = 0; i < counts[k]; i++)
                    {
                        assertEquals(element(r, k, i), gathered[k][r * counts[k] + i], "iallgather " + k);
                    }
                }
            }
        });
    }

    private void checkAllgathers(final Communicator comm)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        for (final int count : COUNTS)
        {
            final String what = count + " per rank on " + size + " ranks with "
                + comm.collectiveTuning().forced(TunedCollective.ALLGATHER) + ", seed " + SEED;
            final long[] longs = new long[count + 1];
            final double[] doubles = new double[count];
            final byte[] bytes = new byte[count];
            final int[] ints = new int[count];
            final float[] floats = new float[count];
            for (int i = 0; i < count; i++)
            {
                longs[i + 1] = element(rank, 0, i);
                doubles[i] = element(rank, 1, i);
                bytes[i] = (byte) (rank * 31 + i);
                ints[i] = (int) element(rank, 2, i);
                floats[i] = rank * 1000 + i % 1000;
            }
            final long[] allLongs = new long[size * count + 3];
            allLongs[size * count + 2] = -7;
            comm.allgather(longs, 1, count, allLongs, 2);
            final double[] allDoubles = new double[size * count];
            comm.allgather(doubles, 0, count, allDoubles, 0);
            final byte[] allBytes = new byte[size * count];
            comm.allgather(bytes, 0, count, allBytes, 0);
            final float[] allFloats = new float[size * count];
            comm.allgather(floats, 0, count, allFloats, 0);
            // In place: this rank's block already sits at its place in the receive buffer.
            final int[] allInts = new int[size * count];
            System.arraycopy(ints, 0, allInts, rank * count, count);
            comm.allgather(allInts, rank * count, count, allInts, 0);
            for (int r = 0; r < size; r++)
            {
                for (int i = 0; i < count; i++)
                {
                    final int at = r * count + i;
                    assertEquals(element(r, 0, i), allLongs[2 + at], "long allgather of " + what);
                    assertEquals(element(r, 1, i), allDoubles[at], "double allgather of " + what);
                    assertEquals((byte) (r * 31 + i), allBytes[at], "byte allgather of " + what);
                    assertEquals(r * 1000 + i % 1000, allFloats[at], "float allgather of " + what);
                    assertEquals((int) element(r, 2, i), allInts[at], "int allgather in place of " + what);
                }
            }
            assertEquals(0, allLongs[1], "the element before the result, " + what);
            assertEquals(-7, allLongs[size * count + 2], "the element after the result, " + what);
        }
    }
}
