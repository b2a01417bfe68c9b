package io.cohort.mpi;

/**
 * The predefined reduction operations (MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX) on int, long, float and double data.
 * All are commutative and associative, so every rank of an allreduce gets the bitwise same result.
 * <pre>{@code
 * double[] local = {residual};
 * double[] global = new double[1];
 * world.allreduce(local, 0, global, 0, 1, ReduceOp.SUM);
 * }</pre>
 */
public enum ReduceOp
{
    /** The sum (MPI_SUM); integers wrap around on overflow, as in Java. */
    SUM,
    /** The product (MPI_PROD). */
    PROD,
    /** The minimum (MPI_MIN). */
    MIN,
    /** The maximum (MPI_MAX). */
    MAX;

    /**
     * Folds {@code in} into {@code inout}: {@code inout[i] = inout[i] op in[i]}.
     *
     * @param in        the operand
     * @param inOffset  its first element
     * @param inout     the accumulator
     * @param outOffset its first element
     * @param count     the number of elements
     */
    public void apply(final int[] in, final int inOffset, final int[] inout, final int outOffset, final int count)
    {
        switch (this)
        {
            case SUM ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] += in[inOffset + i];
                }
            }
            case PROD ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] *= in[inOffset + i];
                }
            }
            case MIN ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.min(inout[outOffset + i], in[inOffset + i]);
                }
            }
            case MAX ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.max(inout[outOffset + i], in[inOffset + i]);
                }
            }
            default -> throw new IllegalStateException(name());
        }
    }

    /**
     * Folds {@code in} into {@code inout}: {@code inout[i] = inout[i] op in[i]}.
     *
     * @param in        the operand
     * @param inOffset  its first element
     * @param inout     the accumulator
     * @param outOffset its first element
     * @param count     the number of elements
     */
    public void apply(final long[] in, final int inOffset, final long[] inout, final int outOffset, final int count)
    {
        switch (this)
        {
            case SUM ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] += in[inOffset + i];
                }
            }
            case PROD ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] *= in[inOffset + i];
                }
            }
            case MIN ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.min(inout[outOffset + i], in[inOffset + i]);
                }
            }
            case MAX ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.max(inout[outOffset + i], in[inOffset + i]);
                }
            }
            default -> throw new IllegalStateException(name());
        }
    }

    /**
     * Folds {@code in} into {@code inout}: {@code inout[i] = inout[i] op in[i]}.
     *
     * @param in        the operand
     * @param inOffset  its first element
     * @param inout     the accumulator
     * @param outOffset its first element
     * @param count     the number of elements
     */
    public void apply(final float[] in, final int inOffset, final float[] inout, final int outOffset, final int count)
    {
        switch (this)
        {
            case SUM ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] += in[inOffset + i];
                }
            }
            case PROD ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] *= in[inOffset + i];
                }
            }
            case MIN ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.min(inout[outOffset + i], in[inOffset + i]);
                }
            }
            case MAX ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.max(inout[outOffset + i], in[inOffset + i]);
                }
            }
            default -> throw new IllegalStateException(name());
        }
    }

    /**
     * Folds {@code in} into {@code inout}: {@code inout[i] = inout[i] op in[i]}.
     *
     * @param in        the operand
     * @param inOffset  its first element
     * @param inout     the accumulator
     * @param outOffset its first element
     * @param count     the number of elements
     */
    public void apply(final double[] in, final int inOffset, final double[] inout, final int outOffset,
        final int count)
    {
        switch (this)
        {
            case SUM ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] += in[inOffset + i];
                }
            }
            case PROD ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] *= in[inOffset + i];
                }
            }
            case MIN ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.min(inout[outOffset + i], in[inOffset + i]);
                }
            }
            case MAX ->
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = Math.max(inout[outOffset + i], in[inOffset + i]);
                }
            }
            default -> throw new IllegalStateException(name());
        }
    }

    /** Folds any supported array type; used by the collective algorithms. */
    void applyTo(final Object in, final int inOffset, final Object inout, final int outOffset, final int count)
    {
        switch (in)
        {
            case int[] a -> apply(a, inOffset, (int[]) inout, outOffset, count);
            case long[] a -> apply(a, inOffset, (long[]) inout, outOffset, count);
            case float[] a -> apply(a, inOffset, (float[]) inout, outOffset, count);
            case double[] a -> apply(a, inOffset, (double[]) inout, outOffset, count);
            default -> throw new CohortException("reductions take int, long, float or double arrays, not "
                + in.getClass().getSimpleName());
        }
    }
}
