package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.collective.TunedCollective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static io.cohort.mpi.CollectiveReference.SEED;
import static io.cohort.mpi.CollectiveReference.element;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every all-to-all algorithm must do on 1, 2, 3, 5 and 8 ranks and on a split part: deliver the block rank r
 * addressed to rank q at place r of rank q's receive buffer, for every element type, at offsets, for small and
 * large blocks, and nonblocking, leaving the elements around the result alone. One subclass per algorithm.
 */
abstract class AlltoallAlgorithmContract
{
    private static final int[] COUNTS = {0, 1, 3, 100, 3_000, 20_000};

    /**
     * The tuning every rank uses: the algorithm under test forced.
     *
     * @return the tuning
     */
    abstract CollectiveTuning tuning();

    static CollectiveTuning forcing(final CollectiveAlgorithm algorithm)
    {
        return CollectiveTuning.defaults().forcing(TunedCollective.ALLTOALL, algorithm);
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void everyBlockReachesItsPlaceAtItsDestinationForEveryTypeAndCount(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            checkAlltoalls(world);
        });
    }

    @Test
    void aSplitCommunicatorExchangesOnlyAmongItsOwnRanks()
    {
        ThreadedJob.run(8, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final Communicator part = world.split(world.rank() % 2, -world.rank());
            checkAlltoalls(part);
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {3, 8})
    void nonblockingAlltoallsInFlightTogetherEachFillTheirBuffer(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final int[] counts = {1, 40, 2000};
            final long[][] received = new long[counts.length][];
            final Request[] requests = new Request[counts.length];
            for (int k = 0; k < counts.length; k++)
            {
                final long[] out = new long[size * counts[k]];
                for (int q = 0; q < size; q++)
                {
                    for (int i = 0; i < counts[k]; i++)
                    {
                        out[q * counts[k] + i] = element(rank, q, i + k);
                    }
                }
                received[k] = new long[size * counts[k]];
                requests[k] = world.ialltoall(out, 0, received[k], 0, counts[k]);
            }
            for (int k = counts.length - 1; k >= 0; k--)
            {
                requests[k].await();
                for (int r = 0; r < size; r++)
                {
                    for (int i = 0; i < counts[k]; i++)
                    {
                        assertEquals(element(r, rank, i + k), received[k][r * counts[k] + i], "ialltoall " + k);
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void inPlaceAlltoallsOfArraysAndSegmentsDeliverEveryBlock(final int size)
    {
        // One buffer as both send and receive (MPI_IN_PLACE): blocks must not be overwritten before they leave.
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            for (final int count : new int[] {1, 100, 3_000})
            {
                final String what = count + " per pair on " + size + " ranks with "
                    + world.collectiveTuning().forced(TunedCollective.ALLTOALL) + ", seed " + SEED;
                final long[] blocking = outgoing(rank, size, count);
                world.alltoall(blocking, 0, blocking, 0, count);
                final long[] nonblocking = outgoing(rank, size, count);
                world.ialltoall(nonblocking, 0, nonblocking, 0, count).await();
                final MemorySegment segment = MemorySegment.ofArray(outgoing(rank, size, count));
                world.alltoall(segment, segment);
                final MemorySegment started = MemorySegment.ofArray(outgoing(rank, size, count));
                world.ialltoall(started, started).await();
                for (int r = 0; r < size; r++)
                {
                    for (int i = 0; i < count; i++)
                    {
                        final int at = r * count + i;
                        assertEquals(element(r, rank, i), blocking[at], "in-place alltoall of " + what);
                        assertEquals(element(r, rank, i), nonblocking[at], "in-place ialltoall of " + what);
                        assertEquals(element(r, rank, i), segment.getAtIndex(ValueLayout.JAVA_LONG, at),
                            "in-place segment alltoall of " + what);
                        assertEquals(element(r, rank, i), started.getAtIndex(ValueLayout.JAVA_LONG, at),
                            "in-place segment ialltoall of " + what);
                    }
                }
            }
        });
    }

    @Test
    void largeAlltoallsRightAfterSmallOnesAndBroadcastsDeliverEveryBlock()
    {
        // Small and large calls use the shared-memory slots differently; a large call must not wait on a slot its
        // predecessor's readers free only later, in that very call.
        ThreadedJob.run(4, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int size = world.size();
            final int rank = world.rank();
            final long[] shared = new long[100_000];
            for (final int count : new int[] {10, 40_000, 5, 40_000, 40_000, -1, 40_000, 7})
            {
                if (count < 0)
                {
                    Arrays.fill(shared, rank == 0 ? 42 : 0);
                    world.bcast(shared, 0, shared.length, 0);
                    assertEquals(42, shared[shared.length - 1], "bcast on rank " + rank);
                    continue;
                }
                final long[] received = new long[size * count];
                world.alltoall(outgoing(rank, size, count), 0, received, 0, count);
                for (int r = 0; r < size; r++)
                {
                    for (int i = 0; i < count; i += 997)
                    {
                        assertEquals(element(r, rank, i), received[r * count + i], count + " per pair");
                    }
                    assertEquals(element(r, rank, count - 1), received[r * count + count - 1], count + " per pair");
                }
            }
        });
    }

    /** Rank {@code rank}'s outgoing blocks: element i of the block for rank q is {@code element(rank, q, i)}. */
    private static long[] outgoing(final int rank, final int size, final int count)
    {
        final long[] out = new long[size * count];
        for (int q = 0; q < size; q++)
        {
            for (int i = 0; i < count; i++)
            {
                out[q * count + i] = element(rank, q, i);
            }
        }
        return out;
    }

    private void checkAlltoalls(final Communicator comm)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        for (final int count : COUNTS)
        {
            final String what = count + " per pair on " + size + " ranks with "
                + comm.collectiveTuning().forced(TunedCollective.ALLTOALL) + ", seed " + SEED;
            final long[] longs = new long[size * count + 1];
            final double[] doubles = new double[size * count];
            final byte[] bytes = new byte[size * count];
            final int[] ints = new int[size * count];
            for (int q = 0; q < size; q++)
            {
                for (int i = 0; i < count; i++)
                {
                    final int at = q * count + i;
                    longs[1 + at] = element(rank, q, i);
                    doubles[at] = element(rank, q, i + 1);
                    bytes[at] = (byte) (rank * 16 + q + i);
                    ints[at] = (int) element(rank, q, i + 2);
                }
            }
            final long[] gotLongs = new long[size * count + 3];
            gotLongs[size * count + 2] = -7;
            comm.alltoall(longs, 1, gotLongs, 2, count);
            final double[] gotDoubles = new double[size * count];
            comm.alltoall(doubles, 0, gotDoubles, 0, count);
            final byte[] gotBytes = new byte[size * count];
            comm.alltoall(bytes, 0, gotBytes, 0, count);
            final int[] gotInts = new int[size * count];
            comm.alltoall(ints, 0, gotInts, 0, count);
            for (int r = 0; r < size; r++)
            {
                for (int i = 0; i < count; i++)
                {
                    final int at = r * count + i;
                    assertEquals(element(r, rank, i), gotLongs[2 + at], "long alltoall of " + what);
                    assertEquals(element(r, rank, i + 1), gotDoubles[at], "double alltoall of " + what);
                    assertEquals((byte) (r * 16 + rank + i), gotBytes[at], "byte alltoall of " + what);
                    assertEquals((int) element(r, rank, i + 2), gotInts[at], "int alltoall of " + what);
                }
            }
            assertEquals(0, gotLongs[1], "the element before the result, " + what);
            assertEquals(-7, gotLongs[size * count + 2], "the element after the result, " + what);
        }
    }
}
