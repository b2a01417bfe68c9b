package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.collective.TunedCollective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.cohort.mpi.CollectiveReference.SEED;
import static io.cohort.mpi.CollectiveReference.data;
import static io.cohort.mpi.CollectiveReference.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every allreduce algorithm must do, whatever the communicator size (1, 2, 3, 5, 8 and a split part):
 * give every rank the serial reference for every operation and type, at counts below and above the block sizes
 * (fewer elements than ranks, odd splits, large vectors), in place too; keep rank order for non-commutative
 * operations and (value, index) pairs together for MINLOC and MAXLOC; and run nonblocking. One subclass per
 * algorithm forces it for every call.
 */
abstract class AllreduceAlgorithmContract
{
    private static final int[] COUNTS = {1, 2, 7, 64, 1001, 33_000};
    private static final ReduceOp[] ARITHMETIC = {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX};
    private static final ReduceOp[] BITWISE = {ReduceOp.LAND, ReduceOp.LOR, ReduceOp.LXOR, ReduceOp.BAND,
        ReduceOp.BOR, ReduceOp.BXOR};
    /** Concatenation of decimal digits: associative, and not commutative, so rank order shows in the result. */
    private static final ReduceOperation CONCATENATE = ReduceOperation.ofLongs(
        (left, right) -> left * (long) Math.pow(10, Long.toString(right).length()) + right, false);

    /**
     * The tuning every rank uses: the algorithm under test forced.
     *
     * @return the tuning
     */
    abstract CollectiveTuning tuning();

    static CollectiveTuning forcing(final CollectiveAlgorithm algorithm)
    {
        return CollectiveTuning.defaults().forcing(TunedCollective.ALLREDUCE, algorithm);
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5, 8})
    void userOperationsOnValuesOfSeveralElementsGetWholeValuesAndKeepRankOrder(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            // Commutative: sums of 3-vectors, by a fold that refuses anything but whole vectors.
            final ReduceOperation triples = ReduceOperation.onLongArrays((in, i, inout, o, count) ->
            {
                wholeValues(i, o, count, 3);
                for (int k = 0; k < count; k++)
                {
                    inout[o + k] += in[i + k];
                }
            }, 3, true);
            for (final int values : new int[] {1, 7, 11_001})
            {
                final long[] mine = new long[3 * values];
                for (int k = 0; k < mine.length; k++)
                {
                    mine[k] = rank * 1000L + k;
                }
                final long[] got = new long[3 * values];
                world.allreduce(mine, 0, got, 0, 3 * values, triples);
                for (int k = 0; k < got.length; k++)
                {
                    assertEquals(1000L * size * (size - 1) / 2 + (long) size * k, got[k],
                        "sum of 3-vectors at " + k + " of " + values + " vectors on " + size + " ranks");
                }
            }
            // Not commutative: products of 2x2 upper-triangular matrices [a b; 0 d], in rank order.
            final ReduceOperation product = ReduceOperation.onDoubleArrays((in, i, inout, o, count) ->
            {
                wholeValues(i, o, count, 4);
                for (int k = 0; k < count; k += 4)
                {
                    final double a = in[i + k] * inout[o + k];
                    final double b = in[i + k] * inout[o + k + 1] + in[i + k + 1] * inout[o + k + 3];
                    final double d = in[i + k + 3] * inout[o + k + 3];
                    inout[o + k] = a;
                    inout[o + k + 1] = b;
                    inout[o + k + 2] = 0;
                    inout[o + k + 3] = d;
                }
            }, 4, false);
            for (final int values : new int[] {1, 5, 3001})
            {
                final double[] mine = new double[4 * values];
                final double[] expected = new double[4 * values];
                for (int j = 0; j < values; j++)
                {
                    mine[4 * j] = 1;
                    mine[4 * j + 1] = rank + 1 + j % 3;
                    mine[4 * j + 3] = 2;
                    // The serial reference: M0 M1 ... M(size-1), left to right.
                    double b = 0;
                    double d = 1;
                    for (int r = 0; r < size; r++)
                    {
                        b = b * 2 + r + 1 + j % 3;
                        d = d * 2;
                    }
                    expected[4 * j] = 1;
                    expected[4 * j + 1] = b;
                    expected[4 * j + 3] = d;
                }
                final double[] got = new double[4 * values];
                world.allreduce(mine, 0, got, 0, 4 * values, product);
                assertArrayEquals(expected, got, "matrix products of " + values + " on " + size + " ranks");
            }
            final float[] factorial = new float[1];
            world.allreduce(new float[] {rank + 1}, 0, factorial, 0, 1, ReduceOperation.ofFloats((a, b) -> a * b,
                true));
            float expectedFactorial = 1;
            for (int r = 2; r <= size; r++)
            {
                expectedFactorial *= r;
            }
            assertEquals(expectedFactorial, factorial[0], "float product on " + size + " ranks");
            final CohortException partial = assertThrows(CohortException.class,
                () -> world.allreduce(new long[4], 0, new long[4], 0, 4, triples));
            assertTrue(partial.getMessage().contains("the count 4 must be a multiple of 3"), partial.getMessage());
            final CohortException halfPair = assertThrows(CohortException.class,
                () -> world.allreduce(new double[3], 0, new double[3], 0, 3, ReduceOp.MINLOC));
            assertTrue(halfPair.getMessage().contains("allreduce: MINLOC combines values of 2 elements; the count 3 "
                + "must be a multiple of 2"), halfPair.getMessage());
        });
    }

    /** Fails the test if a fold is handed part of a value of {@code unit} elements. */
    private static void wholeValues(final int inOffset, final int outOffset, final int count, final int unit)
    {
        if (count % unit != 0 || inOffset % unit != 0 || outOffset % unit != 0)
        {
            throw new AssertionError("a fold was handed part of a value: offsets " + inOffset + " and " + outOffset
                + ", count " + count + ", unit " + unit);
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void everyRankGetsTheSerialReferenceForEveryOperationTypeAndCount(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            checkReductions(world);
        });
    }

    @Test
    void aSplitCommunicatorReducesOnlyItsOwnRanks()
    {
        ThreadedJob.run(8, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            // Parts of 5 and 3 ranks, the second in reverse order of world rank.
            final boolean low = world.rank() < 5;
            final Communicator part = world.split(low ? 0 : 1, low ? world.rank() : -world.rank());
            checkReductions(part);
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5, 8})
    void nonCommutativeOperationsKeepRankOrderAndLocPairsStayTogether(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            long all = 0;
            for (int r = 1; r <= size; r++)
            {
                all = all * 10 + r;
            }
            for (final int count : new int[] {1, 3, 40})
            {
                final long[] digits = new long[count];
                java.util.Arrays.fill(digits, rank + 1);
                final long[] result = new long[count];
                world.allreduce(digits, 0, result, 0, count, CONCATENATE);
                for (int i = 0; i < count; i++)
                {
                    assertEquals(all, result[i], "concatenation of " + count + " at " + i + " on " + size
                        + " ranks, " + world.collectiveTuning().forced(TunedCollective.ALLREDUCE));
                }
            }
            // 37 pairs: blocks of any algorithm split between pairs, never inside one.
            final int pairs = 37;
            final double[] mine = new double[2 * pairs];
            final double[] expected = new double[2 * pairs];
            for (int p = 0; p < pairs; p++)
            {
                final int winner = (p * 7) % size;
                mine[2 * p] = rank == winner ? -1 - p : p % 3;
                mine[2 * p + 1] = rank;
                expected[2 * p] = -1 - p;
                expected[2 * p + 1] = winner;
            }
            final double[] min = new double[2 * pairs];
            world.allreduce(mine, 0, min, 0, 2 * pairs, ReduceOp.MINLOC);
            assertArrayEquals(expected, min, "MINLOC of " + pairs + " pairs on " + size + " ranks");
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {3, 8})
    void nonblockingAllreducesInFlightTogetherEachGetTheirResult(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int[] counts = {5, 4000, 20_000};
            final long[][] results = new long[counts.length][];
            final Request[] requests = new Request[counts.length];
            for (int k = 0; k < counts.length; k++)
            {
                results[k] = new long[counts[k]];
                requests[k] = world.iallreduce(data(world.rank(), counts[k], ReduceOp.SUM, 700 + k), 0, results[k],
                    0, counts[k], ReduceOp.SUM);
            }
            for (int k = counts.length - 1; k >= 0; k--)
            {
                requests[k].await();
                assertArrayEquals(reference(size, counts[k], ReduceOp.SUM, 700 + k), results[k],
                    "iallreduce of " + counts[k] + ", seed " + SEED);
            }
        });
    }

    private void checkReductions(final Communicator comm)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        int salt = 0;
        for (final ReduceOp op : ARITHMETIC)
        {
            for (final int count : COUNTS)
            {
                salt++;
                final long[] mine = data(rank, count, op, salt);
                final long[] expected = reference(size, count, op, salt);
                final String what = op + " of " + count + " on " + size + " ranks with "
                    + comm.collectiveTuning().forced(TunedCollective.ALLREDUCE) + ", seed " + SEED + ", salt "
                    + salt;
                final long[] longs = new long[count];
                comm.allreduce(mine, 0, longs, 0, count, op);
                assertArrayEquals(expected, longs, "long allreduce " + what);
                final double[] myDoubles = new double[count + 2];
                final double[] doubles = new double[count + 1];
                final int[] ints = new int[count];
                final float[] floats = new float[count];
                for (int i = 0; i < count; i++)
                {
                    myDoubles[i + 2] = mine[i];
                    ints[i] = (int) mine[i];
                    floats[i] = mine[i];
                }
                comm.allreduce(myDoubles, 2, doubles, 1, count, op);
                comm.allreduce(ints, 0, ints, 0, count, op);
                comm.allreduce(floats, 0, floats, 0, count, op);
                for (int i = 0; i < count; i++)
                {
                    assertEquals(expected[i], doubles[i + 1], "double allreduce " + what + " at " + i);
                    assertEquals((int) expected[i], ints[i], "int allreduce in place " + what + " at " + i);
                    assertEquals((float) expected[i], floats[i], "float allreduce in place " + what + " at " + i);
                }
            }
        }
        for (final ReduceOp op : BITWISE)
        {
            salt++;
            final int count = 300;
            final long[] expected = data(0, count, ReduceOp.SUM, salt);
            for (int r = 1; r < size; r++)
            {
                op.apply(data(r, count, ReduceOp.SUM, salt), 0, expected, 0, count);
            }
            final long[] result = new long[count];
            comm.allreduce(data(rank, count, ReduceOp.SUM, salt), 0, result, 0, count, op);
            assertArrayEquals(expected, result, op + " on " + size + " ranks, seed " + SEED + ", salt " + salt);
        }
    }
}
