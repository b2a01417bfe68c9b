package io.cohort.mpi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every collective against a serial reference computed from the same random data (a fixed seed, printed in every
 * failure), for communicator sizes 1, 2, 3, 5 and 8 and for a split sub-communicator. The data are small integers
 * (also in float and double), so every order of combining gives exactly the same answer.
 */
class CollectivesTest
{
    private static final long SEED = 20261122L;
    private static final int[] COUNTS = {1, 7, 1000, 70_000};

    /** Rank r's data for one case: small integers, so products and sums stay exact in every type. */
    private static long[] data(final int rank, final int count, final ReduceOp op, final int salt)
    {
        final SplittableRandom random = new SplittableRandom(SEED * 31 + rank * 1_000_003L + salt);
        final long[] values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = op == ReduceOp.PROD ? 1 + random.nextInt(3) : random.nextInt(-1000, 1001);
        }
        return values;
    }

    private static long[] reference(final int size, final int count, final ReduceOp op, final int salt)
    {
        final long[] result = data(0, count, op, salt);
        for (int rank = 1; rank < size; rank++)
        {
            op.apply(data(rank, count, op, salt), 0, result, 0, count);
        }
        return result;
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void allreduceAndReduceMatchTheSerialReferenceForEveryTypeAndOperation(final int size)
    {
        ThreadedJob.run(size, cohort -> checkReductions(cohort.world()));
    }

    @ParameterizedTest(name = "{0} ranks split in two")
    @ValueSource(ints = {5, 8})
    void collectivesOnASplitCommunicatorInvolveOnlyItsRanks(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator half = cohort.world().split(cohort.world().rank() % 2, cohort.world().rank());
            checkReductions(half);
            checkBroadcasts(half, cohort);
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void broadcastDeliversTheRootsDataToEveryRank(final int size)
    {
        ThreadedJob.run(size, cohort -> checkBroadcasts(cohort.world(), cohort));
    }

    private static void checkReductions(final Communicator comm)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        int salt = 0;
        for (final ReduceOp op : ReduceOp.values())
        {
            for (final int count : COUNTS)
            {
                salt++;
                final long[] mine = data(rank, count, op, salt);
                final long[] expected = reference(size, count, op, salt);
                final int root = salt % size;
                final String what = op + " of " + count + " on " + size + " ranks, root " + root + ", seed " + SEED
                    + ", salt " + salt;

                final long[] longs = new long[count];
                comm.allreduce(mine, 0, longs, 0, count, op);
                assertArrayEquals(expected, longs, "long allreduce " + what);

                final double[] doubles = new double[count + 1];
                final double[] myDoubles = new double[count + 2];
                final int[] ints = new int[count];
                final int[] myInts = new int[count];
                final float[] floats = new float[count];
                final float[] myFloats = new float[count];
                for (int i = 0; i < count; i++)
                {
                    myDoubles[i + 2] = mine[i];
                    myInts[i] = (int) mine[i];
                    myFloats[i] = mine[i];
                }
                comm.allreduce(myDoubles, 2, doubles, 1, count, op);
                comm.allreduce(myInts, 0, ints, 0, count, op);
                comm.reduce(myFloats, 0, rank == root ? floats : null, 0, count, op, root);
                for (int i = 0; i < count; i++)
                {
                    assertEquals(expected[i], doubles[i + 1], "double allreduce " + what + " at " + i);
                    assertEquals((int) expected[i], ints[i], "int allreduce " + what + " at " + i);
                    if (rank == root)
                    {
                        assertEquals((float) expected[i], floats[i], "float reduce " + what + " at " + i);
                    }
                }
                comm.allreduce(myInts, 0, myInts, 0, count, op);
                assertEquals((int) expected[count - 1], myInts[count - 1], "int allreduce in place " + what);
            }
        }
    }

    private static void checkBroadcasts(final Communicator comm, final Cohort cohort)
    {
        final int size = comm.size();
        for (final int count : COUNTS)
        {
            final int root = count % size;
            final long[] expected = data(root, count, ReduceOp.SUM, count);
            final long[] longs = comm.rank() == root ? expected.clone() : new long[count];
            comm.bcast(longs, 0, count, root);
            assertArrayEquals(expected, longs, "long bcast of " + count + " from " + root + ", seed " + SEED);
            final byte[] bytes = new byte[count];
            if (comm.rank() == root)
            {
                for (int i = 0; i < count; i++)
                {
                    bytes[i] = (byte) expected[i];
                }
            }
            comm.bcast(bytes, 0, count, root);
            assertEquals((byte) expected[count - 1], bytes[count - 1], "byte bcast of " + count);
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment segment = count % 2 == 0 ? cohort.allocate(count * 8L)
                    : arena.allocate(count * 8L);
                if (comm.rank() == root)
                {
                    MemorySegment.copy(expected, 0, segment, ValueLayout.JAVA_LONG, 0, count);
                }
                comm.bcast(segment, root);
                assertEquals(expected[count / 2], segment.getAtIndex(ValueLayout.JAVA_LONG, count / 2),
                    "segment bcast of " + count);
            }
        }
    }
}
