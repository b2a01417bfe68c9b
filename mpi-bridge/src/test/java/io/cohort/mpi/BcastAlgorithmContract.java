package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.collective.TunedCollective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.cohort.mpi.CollectiveReference.SEED;
import static io.cohort.mpi.CollectiveReference.data;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every bcast algorithm must do on 1, 2, 3, 5 and 8 ranks and on a split part: deliver the root's data, from
 * every root, for counts from fewer elements than ranks to large ones, into arrays of every type at an offset and
 * into segments, leaving the elements around the range alone; and run nonblocking. One subclass per algorithm.
 */
abstract class BcastAlgorithmContract
{
    private static final int[] COUNTS = {0, 1, 3, 7, 1000, 70_001};

    /**
     * The tuning every rank uses: the algorithm under test forced.
     *
     * @return the tuning
     */
    abstract CollectiveTuning tuning();

    static CollectiveTuning forcing(final CollectiveAlgorithm algorithm)
    {
        return CollectiveTuning.defaults().forcing(TunedCollective.BCAST, algorithm);
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void everyRankGetsTheRootsDataForEveryRootTypeAndCount(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            checkBroadcasts(world, cohort);
        });
    }

    @Test
    void aSplitCommunicatorBroadcastsOnlyToItsOwnRanks()
    {
        ThreadedJob.run(8, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final Communicator part = world.split(world.rank() % 3 == 0 ? 0 : 1, -world.rank());
            checkBroadcasts(part, cohort);
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 5})
    void manyBackToBackBroadcastsEachDeliverTheirOwnDataWhileReadersLagBehind(final int size)
    {
        // More calls than any pipeline holds, checked only at the end: first 200 from rank 0 while the others start
        // late (so the root runs as far ahead as it may and must never overwrite data a reader has not yet taken),
        // then 200 from rotating roots; every 40th call is large, between the small ones.
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int calls = 400;
            final long[][] buffers = new long[calls][];
            if (world.rank() != 0)
            {
                sleep(50);
            }
            for (int k = 0; k < calls; k++)
            {
                final int root = k < calls / 2 ? 0 : k % size;
                final int count = k % 40 == 39 ? 70_001 : 1 + k % 9;
                buffers[k] = world.rank() == root ? data(root, count, ReduceOp.SUM, 900 + k) : new long[count];
                world.bcast(buffers[k], 0, count, root);
            }
            for (int k = 0; k < calls; k++)
            {
                final int root = k < calls / 2 ? 0 : k % size;
                assertArrayEquals(data(root, buffers[k].length, ReduceOp.SUM, 900 + k), buffers[k],
                    "bcast number " + k + " of " + buffers[k].length + " from root " + root + ", seed " + SEED);
            }
        });
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {3, 5})
    void nonblockingBroadcastsInFlightTogetherEachDeliverTheirData(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int[] counts = {9, 5000, 40_000};
            final long[][] buffers = new long[counts.length][];
            final Request[] requests = new Request[counts.length];
            for (int k = 0; k < counts.length; k++)
            {
                final int root = k % size;
                buffers[k] = world.rank() == root ? data(root, counts[k], ReduceOp.SUM, 40 + k) : new long[counts[k]];
                requests[k] = world.ibcast(buffers[k], 0, counts[k], root);
            }
            for (int k = counts.length - 1; k >= 0; k--)
            {
                requests[k].await();
                assertArrayEquals(data(k % size, counts[k], ReduceOp.SUM, 40 + k), buffers[k],
                    "ibcast of " + counts[k] + ", seed " + SEED);
            }
        });
    }

    private void checkBroadcasts(final Communicator comm, final Cohort cohort)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        for (final int count : COUNTS)
        {
            for (final int root : count < 100 ? allRanks(size) : new int[] {count % size, size - 1})
            {
                final String what = count + " from root " + root + " of " + size + " ranks with "
                    + comm.collectiveTuning().forced(TunedCollective.BCAST) + ", seed " + SEED;
                final long[] expected = data(root, count, ReduceOp.SUM, count + root);
                // Arrays at an offset, with a guard element after the range.
                final long[] longs = new long[count + 3];
                final double[] doubles = new double[count + 3];
                final int[] ints = new int[count + 3];
                final byte[] bytes = new byte[count + 3];
                longs[count + 2] = -7;
                bytes[count + 2] = -7;
                if (rank == root)
                {
                    for (int i = 0; i < count; i++)
                    {
                        longs[i + 2] = expected[i];
                        doubles[i + 2] = expected[i];
                        ints[i + 2] = (int) expected[i];
                        bytes[i + 2] = (byte) expected[i];
                    }
                }
                comm.bcast(longs, 2, count, root);
                comm.bcast(doubles, 2, count, root);
                comm.bcast(ints, 2, count, root);
                comm.bcast(bytes, 2, count, root);
                for (int i = 0; i < count; i++)
                {
                    assertEquals(expected[i], longs[i + 2], "long bcast of " + what + " at " + i);
                    assertEquals(expected[i], doubles[i + 2], "double bcast of " + what + " at " + i);
                    assertEquals((int) expected[i], ints[i + 2], "int bcast of " + what + " at " + i);
                    assertEquals((byte) expected[i], bytes[i + 2], "byte bcast of " + what + " at " + i);
                }
                assertEquals(-7, longs[count + 2], "the element after the range, " + what);
                assertEquals(-7, bytes[count + 2], "the byte after the range, " + what);
                if (count > 0)
                {
                    checkSegment(comm, cohort, expected, root, what);
                }
            }
        }
    }

    private static void checkSegment(final Communicator comm, final Cohort cohort, final long[] expected,
        final int root, final String what)
    {
        final int count = expected.length;
        try (Arena arena = Arena.ofConfined())
        {
            // Shared memory from Cohort.allocate for even counts, plain native memory for odd ones.
            final MemorySegment segment = count % 2 == 0 ? cohort.allocate(count * 8L) : arena.allocate(count * 8L);
            if (comm.rank() == root)
            {
                MemorySegment.copy(expected, 0, segment, ValueLayout.JAVA_LONG, 0, count);
            }
            comm.bcast(segment, root);
            final long[] got = new long[count];
            MemorySegment.copy(segment, ValueLayout.JAVA_LONG, 0, got, 0, count);
            assertArrayEquals(expected, got, "segment bcast of " + what);
        }
    }

    private static int[] allRanks(final int size)
    {
        final int[] ranks = new int[size];
        for (int r = 0; r < size; r++)
        {
            ranks[r] = r;
        }
        return ranks;
    }
}
