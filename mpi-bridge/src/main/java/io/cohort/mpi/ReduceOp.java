package io.cohort.mpi;

/**
 * The predefined reduction operations of MPI on int, long, float and double data: SUM, PROD, MIN, MAX; the logical
 * LAND, LOR, LXOR and the bitwise BAND, BOR, BXOR (int and long only); and MINLOC, MAXLOC, which take interleaved
 * (value, index) pairs, so the count must be even, and keep the extreme value with its lowest index. All are
 * commutative, so every rank of an allreduce gets bitwise the same result.
 * <pre>{@code
 * double[] local = {residual};
 * double[] global = new double[1];
 * world.allreduce(local, 0, global, 0, 1, ReduceOp.SUM);
 * }</pre>
 * For an operation of your own, see {@link ReduceOperation#ofDoubles} and its siblings.
 */
public enum ReduceOp implements ReduceOperation
{
    /** The sum (MPI_SUM); integers wrap around on overflow, as in Java. */
    SUM,
    /** The product (MPI_PROD). */
    PROD,
    /** The minimum (MPI_MIN). */
    MIN,
    /** The maximum (MPI_MAX). */
    MAX,
    /** Logical and (MPI_LAND): 1 if both are non-zero, else 0. */
    LAND,
    /** Logical or (MPI_LOR). */
    LOR,
    /** Logical exclusive or (MPI_LXOR). */
    LXOR,
    /** Bitwise and (MPI_BAND). */
    BAND,
    /** Bitwise or (MPI_BOR). */
    BOR,
    /** Bitwise exclusive or (MPI_BXOR). */
    BXOR,
    /** The minimum with its index (MPI_MINLOC), on (value, index) pairs; ties keep the lower index. */
    MINLOC,
    /** The maximum with its index (MPI_MAXLOC), on (value, index) pairs; ties keep the lower index. */
    MAXLOC;

    @Override
    public boolean isCommutative()
    {
        return true;
    }

    /** MINLOC and MAXLOC fold (value, index) pairs, which no algorithm may split; every other one single elements. */
    @Override
    public int unit()
    {
        return this == MINLOC || this == MAXLOC ? 2 : 1;
    }

    private static void requirePairs(final int count)
    {
        if (count % 2 != 0)
        {
            throw new CohortException("MINLOC and MAXLOC take (value, index) pairs: the count " + count
                + " must be even");
        }
    }

    @Override
    public void apply(final int[] in, final int inOffset, final int[] inout, final int outOffset, final int count)
    {
        switch (this)
        {
            case SUM ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] + inout[outOffset + i];
                }
            }
            case PROD ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] * inout[outOffset + i];
                }
            }
            case MIN ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.min(in[inOffset + i], inout[outOffset + i]);
                }
            }
            case MAX ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.max(in[inOffset + i], inout[outOffset + i]);
                }
            }
            case LAND ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] != 0 && inout[outOffset + i] != 0 ? 1 : 0;
                }
            }
            case LOR ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] != 0 || inout[outOffset + i] != 0 ? 1 : 0;
                }
            }
            case LXOR ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = (in[inOffset + i] != 0) != (inout[outOffset + i] != 0) ? 1 : 0;
                }
            }
            case BAND ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] & inout[outOffset + i];
                }
            }
            case BOR ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] | inout[outOffset + i];
                }
            }
            case BXOR ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] ^ inout[outOffset + i];
                }
            }
            case MINLOC ->
            {
                requirePairs(count);
                for (int i = 0; i < count; i += 2)
                {
                    final int value = in[inOffset + i];
                    final int index = in[inOffset + i + 1];
                    final int current = inout[outOffset + i];
                    if (value < current || (value == current && index < inout[outOffset + i + 1]))
                    {
                        inout[outOffset + i] = value;
                        inout[outOffset + i + 1] = index;
                    }
                }
            }
            case MAXLOC ->
            {
                requirePairs(count);
                for (int i = 0; i < count; i += 2)
                {
                    final int value = in[inOffset + i];
                    final int index = in[inOffset + i + 1];
                    final int current = inout[outOffset + i];
                    if (value > current || (value == current && index < inout[outOffset + i + 1]))
                    {
                        inout[outOffset + i] = value;
                        inout[outOffset + i + 1] = index;
                    }
                }
            }
            default -> throw new CohortException(name() + " is not defined on int data; it takes int and long");
        }
    }

    @Override
    public void apply(final long[] in, final int inOffset, final long[] inout, final int outOffset, final int count)
    {
        switch (this)
        {
            case SUM ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] + inout[outOffset + i];
                }
            }
            case PROD ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] * inout[outOffset + i];
                }
            }
            case MIN ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.min(in[inOffset + i], inout[outOffset + i]);
                }
            }
            case MAX ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.max(in[inOffset + i], inout[outOffset + i]);
                }
            }
            case LAND ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] != 0 && inout[outOffset + i] != 0 ? 1L : 0L;
                }
            }
            case LOR ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] != 0 || inout[outOffset + i] != 0 ? 1L : 0L;
                }
            }
            case LXOR ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = (in[inOffset + i] != 0) != (inout[outOffset + i] != 0) ? 1L : 0L;
                }
            }
            case BAND ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] & inout[outOffset + i];
                }
            }
            case BOR ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] | inout[outOffset + i];
                }
            }
            case BXOR ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] ^ inout[outOffset + i];
                }
            }
            case MINLOC ->
            {
                requirePairs(count);
                for (int i = 0; i < count; i += 2)
                {
                    final long value = in[inOffset + i];
                    final long index = in[inOffset + i + 1];
                    final long current = inout[outOffset + i];
                    if (value < current || (value == current && index < inout[outOffset + i + 1]))
                    {
                        inout[outOffset + i] = value;
                        inout[outOffset + i + 1] = index;
                    }
                }
            }
            case MAXLOC ->
            {
                requirePairs(count);
                for (int i = 0; i < count; i += 2)
                {
                    final long value = in[inOffset + i];
                    final long index = in[inOffset + i + 1];
                    final long current = inout[outOffset + i];
                    if (value > current || (value == current && index < inout[outOffset + i + 1]))
                    {
                        inout[outOffset + i] = value;
                        inout[outOffset + i + 1] = index;
                    }
                }
            }
            default -> throw new CohortException(name() + " is not defined on long data; it takes int and long");
        }
    }

    @Override
    public void apply(final float[] in, final int inOffset, final float[] inout, final int outOffset, final int count)
    {
        switch (this)
        {
            case SUM ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] + inout[outOffset + i];
                }
            }
            case PROD ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] * inout[outOffset + i];
                }
            }
            case MIN ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.min(in[inOffset + i], inout[outOffset + i]);
                }
            }
            case MAX ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.max(in[inOffset + i], inout[outOffset + i]);
                }
            }
            case MINLOC ->
            {
                requirePairs(count);
                for (int i = 0; i < count; i += 2)
                {
                    final float value = in[inOffset + i];
                    final float index = in[inOffset + i + 1];
                    final float current = inout[outOffset + i];
                    if (value < current || (value == current && index < inout[outOffset + i + 1]))
                    {
                        inout[outOffset + i] = value;
                        inout[outOffset + i + 1] = index;
                    }
                }
            }
            case MAXLOC ->
            {
                requirePairs(count);
                for (int i = 0; i < count; i += 2)
                {
                    final float value = in[inOffset + i];
                    final float index = in[inOffset + i + 1];
                    final float current = inout[outOffset + i];
                    if (value > current || (value == current && index < inout[outOffset + i + 1]))
                    {
                        inout[outOffset + i] = value;
                        inout[outOffset + i + 1] = index;
                    }
                }
            }
            default -> throw new CohortException(name() + " is not defined on float data; it takes int and long");
        }
    }

    @Override
    public void apply(final double[] in, final int inOffset, final double[] inout, final int outOffset, final int count)
    {
        switch (this)
        {
            case SUM ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] + inout[outOffset + i];
                }
            }
            case PROD ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = in[inOffset + i] * inout[outOffset + i];
                }
            }
            case MIN ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.min(in[inOffset + i], inout[outOffset + i]);
                }
            }
            case MAX ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.max(in[inOffset + i], inout[outOffset + i]);
                }
            }
            case MINLOC ->
            {
                requirePairs(count);
                for (int i = 0; i < count; i += 2)
                {
                    final double value = in[inOffset + i];
                    final double index = in[inOffset + i + 1];
                    final double current = inout[outOffset + i];
                    if (value < current || (value == current && index < inout[outOffset + i + 1]))
                    {
                        inout[outOffset + i] = value;
                        inout[outOffset + i + 1] = index;
                    }
                }
            }
            case MAXLOC ->
            {
                requirePairs(count);
                for (int i = 0; i < count; i += 2)
                {
                    final double value = in[inOffset + i];
                    final double index = in[inOffset + i + 1];
                    final double current = inout[outOffset + i];
                    if (value > current || (value == current && index < inout[outOffset + i + 1]))
                    {
                        inout[outOffset + i] = value;
                        inout[outOffset + i + 1] = index;
                    }
                }
            }
            default -> throw new CohortException(name() + " is not defined on double data; it takes int and long");
        }
    }
}
