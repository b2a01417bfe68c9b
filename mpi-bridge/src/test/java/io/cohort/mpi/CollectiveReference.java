package io.cohort.mpi;

import java.util.SplittableRandom;

/**
 * The random data of the collective contracts and its serial reference: small integers from a fixed seed, so every
 * order of combining gives exactly the same answer in every type, and a failure names the seed to reproduce it.
 */
final class CollectiveReference
{
    /** The seed of every contract's data; printed in every failure. */
    static final long SEED = 20261123L;
    /** The communicator sizes every algorithm is checked on. */
    static final int[] SIZES = {1, 2, 3, 5, 8};

    private CollectiveReference()
    {
    }

    /** Rank r's data for one case: small integers, so products and sums stay exact in every type. */
    static long[] data(final int rank, final int count, final ReduceOp op, final int salt)
    {
        final SplittableRandom random = new SplittableRandom(SEED * 31 + rank * 1_000_003L + salt);
        final long[] values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = op == ReduceOp.PROD ? 1 + random.nextInt(2) : random.nextInt(-1000, 1001);
        }
        return values;
    }

    /** The reduction of ranks 0 to size - 1's data, in rank order. */
    static long[] reference(final int size, final int count, final ReduceOp op, final int salt)
    {
        final long[] result = data(0, count, op, salt);
        for (int rank = 1; rank < size; rank++)
        {
            op.apply(data(rank, count, op, salt), 0, result, 0, count);
        }
        return result;
    }

    /** Element i of the block rank r sends to rank q: unique, so a misplaced block shows. */
    static long element(final int r, final int q, final int i)
    {
        return r * 1_000_000L + q * 10_000L + i;
    }
}
