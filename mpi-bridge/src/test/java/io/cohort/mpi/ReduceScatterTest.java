package io.cohort.mpi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.cohort.mpi.CollectiveReference.SEED;
import static io.cohort.mpi.CollectiveReference.data;
import static io.cohort.mpi.CollectiveReference.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reduce-scatter, blocking and nonblocking, against the serial reference: uneven and empty blocks, every
 * arithmetic operation on every type, and a non-commutative operation in rank order.
 */
class ReduceScatterTest
{
    private static final ReduceOp[] ARITHMETIC = {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX};
    private static final ReduceOperation CONCATENATE = ReduceOperation.ofLongs(
        (left, right) -> left * (long) Math.pow(10, Long.toString(right).length()) + right, false);

    /** Uneven blocks, one of them empty when there are at least 3 ranks. */
    private static int[] counts(final int size, final int scale)
    {
        final int[] counts = new int[size];
        for (int r = 0; r < size; r++)
        {
            counts[r] = r == 1 && size > 2 ? 0 : scale * (r + 1) + r % 3;
        }
        return counts;
    }

    private static int offsetOf(final int[] counts, final int rank)
    {
        int offset = 0;
        for (int r = 0; r < rank; r++)
        {
            offset += counts[r];
        }
        return offset;
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void everyRankGetsItsBlockOfTheSerialReductionForEveryOperationAndType(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            int salt = 3000;
            for (final ReduceOp op : ARITHMETIC)
            {
                for (final int scale : new int[] {1, 400})
                {
                    salt++;
                    final int[] counts = counts(size, scale);
                    final int total = offsetOf(counts, size);
                    final int mine = offsetOf(counts, rank);
                    final long[] expected = reference(size, total, op, salt);
                    final String what = op + " with blocks of about " + scale + " on " + size + " ranks, seed " + SEED
                        + ", salt " + salt;
                    final long[] longs = data(rank, total, op, salt);
                    final double[] doubles = new double[total];
                    final int[] ints = new int[total];
                    for (int i = 0; i < total; i++)
                    {
                        doubles[i] = longs[i];
                        ints[i] = (int) longs[i];
                    }
                    final long[] gotLongs = new long[counts[rank] + 1];
                    final double[] gotDoubles = new double[counts[rank]];
                    final int[] gotInts = new int[counts[rank]];
                    world.reduceScatter(longs, 0, gotLongs, 1, counts, op);
                    world.reduceScatter(doubles, 0, gotDoubles, 0, counts, op);
                    world.reduceScatter(ints, 0, gotInts, 0, counts, op);
                    for (int i = 0; i < counts[rank]; i++)
                    {
                        assertEquals(expected[mine + i], gotLongs[i + 1], "long " + what + " at " + i);
                        assertEquals(expected[mine + i], gotDoubles[i], "double " + what + " at " + i);
                        assertEquals((int) expected[mine + i], gotInts[i], "int " + what + " at " + i);
                    }
                    assertEquals(0, gotLongs[0], "the element before the block, " + what);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void aNonCommutativeOperationIsAppliedInRankOrder(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            long all = 0;
            for (int r = 1; r <= size; r++)
            {
                all = all * 10 + r;
            }
            final long[] digits = new long[3 * size];
            java.util.Arrays.fill(digits, rank + 1);
            final long[] block = new long[3];
            world.reduceScatterBlock(digits, 0, block, 0, 3, CONCATENATE);
            assertEquals(all, block[0], "concatenation at rank " + rank);
            assertEquals(all, block[2], "concatenation at rank " + rank);
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {3, 8})
    void nonblockingReduceScattersInFlightTogetherEachGetTheirBlock(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int[] counts = counts(size, 50);
            final int total = offsetOf(counts, size);
            final long[] uneven = new long[counts[rank]];
            final double[] even = new double[70];
            final double[] evenData = new double[70 * size];
            final long[] unevenData = data(rank, total, ReduceOp.SUM, 77);
            final long[] evenReference = reference(size, 70 * size, ReduceOp.MAX, 78);
            final long[] mineForEven = data(rank, 70 * size, ReduceOp.MAX, 78);
            for (int i = 0; i < evenData.length; i++)
            {
                evenData[i] = mineForEven[i];
            }
            final Request first = world.ireduceScatter(unevenData, 0, uneven, 0, counts, ReduceOp.SUM);
            final Request second = world.ireduceScatterBlock(evenData, 0, even, 0, 70, ReduceOp.MAX);
            second.await();
            first.await();
            final long[] unevenReference = reference(size, total, ReduceOp.SUM, 77);
            final int mine = offsetOf(counts, rank);
            for (int i = 0; i < counts[rank]; i++)
            {
                assertEquals(unevenReference[mine + i], uneven[i], "ireduceScatter at " + i);
            }
            for (int i = 0; i < 70; i++)
            {
                assertEquals(evenReference[rank * 70 + i], even[i], "ireduceScatterBlock at " + i);
            }
        });
    }
}
