package io.cohort.mpi;

import java.util.function.DoubleBinaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * A reduction operation: the predefined ones are {@link ReduceOp}; make your own from an element-wise function,
 * commutative or not (a non-commutative one is applied in rank order, as MPI requires).
 * <pre>{@code
 * ReduceOperation hypot = ReduceOperation.ofDoubles((a, b) -> Math.hypot(a, b), true);
 * world.allreduce(local, 0, global, 0, n, hypot);
 * }</pre>
 * Each {@code apply} folds {@code in} into {@code inout} with {@code in} as the left operand:
 * {@code inout[i] = in[i] op inout[i]}. A type an operation does not support raises {@link CohortException}.
 */
public interface ReduceOperation
{
    /**
     * Whether {@code a op b == b op a}; if not, reductions combine strictly in rank order.
     *
     * @return true if commutative
     */
    boolean isCommutative();

    /**
     * Folds int data.
     *
     * @param in        the left operands
     * @param inOffset  the first of them
     * @param inout     the right operands, replaced by the results
     * @param outOffset the first of them
     * @param count     elements
     */
    default void apply(final int[] in, final int inOffset, final int[] inout, final int outOffset, final int count)
    {
        throw new CohortException(this + " is not defined on int data");
    }

    /**
     * Folds long data.
     *
     * @param in        the left operands
     * @param inOffset  the first of them
     * @param inout     the right operands, replaced by the results
     * @param outOffset the first of them
     * @param count     elements
     */
    default void apply(final long[] in, final int inOffset, final long[] inout, final int outOffset, final int count)
    {
        throw new CohortException(this + " is not defined on long data");
    }

    /**
     * Folds float data.
     *
     * @param in        the left operands
     * @param inOffset  the first of them
     * @param inout     the right operands, replaced by the results
     * @param outOffset the first of them
     * @param count     elements
     */
    default void apply(final float[] in, final int inOffset, final float[] inout, final int outOffset,
        final int count)
    {
        throw new CohortException(this + " is not defined on float data");
    }

    /**
     * Folds double data.
     *
     * @param in        the left operands
     * @param inOffset  the first of them
     * @param inout     the right operands, replaced by the results
     * @param outOffset the first of them
     * @param count     elements
     */
    default void apply(final double[] in, final int inOffset, final double[] inout, final int outOffset,
        final int count)
    {
        throw new CohortException(this + " is not defined on double data");
    }

    /**
     * Folds any supported array; used by the collective algorithms.
     *
     * @param in        the left operands (an int, long, float or double array)
     * @param inOffset  the first of them
     * @param inout     the right operands, of the same type, replaced by the results
     * @param outOffset the first of them
     * @param count     elements
     */
    default void applyTo(final Object in, final int inOffset, final Object inout, final int outOffset,
        final int count)
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

    /**
     * An operation on double (and float) data from an element-wise function.
     *
     * @param function    {@code (left, right) -> result}
     * @param commutative whether the function is commutative
     * @return the operation
     */
    static ReduceOperation ofDoubles(final DoubleBinaryOperator function, final boolean commutative)
    {
        return new ReduceOperation()
        {
            @Override
            public boolean isCommutative()
            {
                return commutative;
            }

            @Override
            public void apply(final double[] in, final int inOffset, final double[] inout, final int outOffset,
                final int count)
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = function.applyAsDouble(in[inOffset + i], inout[outOffset + i]);
                }
            }

            @Override
            public void apply(final float[] in, final int inOffset, final float[] inout, final int outOffset,
                final int count)
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = (float) function.applyAsDouble(in[inOffset + i], inout[outOffset + i]);
                }
            }

            @Override
            public String toString()
            {
                return "a user-defined double operation";
            }
        };
    }

    /**
     * An operation on long data from an element-wise function.
     *
     * @param function    {@code (left, right) -> result}
     * @param commutative whether the function is commutative
     * @return the operation
     */
    static ReduceOperation ofLongs(final LongBinaryOperator function, final boolean commutative)
    {
        return new ReduceOperation()
        {
            @Override
            public boolean isCommutative()
            {
                return commutative;
            }

            @Override
            public void apply(final long[] in, final int inOffset, final long[] inout, final int outOffset,
                final int count)
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = function.applyAsLong(in[inOffset + i], inout[outOffset + i]);
                }
            }

            @Override
            public String toString()
            {
                return "a user-defined long operation";
            }
        };
    }

    /**
     * An operation on int data from an element-wise function.
     *
     * @param function    {@code (left, right) -> result}
     * @param commutative whether the function is commutative
     * @return the operation
     */
    static ReduceOperation ofInts(final IntBinaryOperator function, final boolean commutative)
    {
        return new ReduceOperation()
        {
            @Override
            public boolean isCommutative()
            {
                return commutative;
            }

            @Override
            public void apply(final int[] in, final int inOffset, final int[] inout, final int outOffset,
                final int count)
            {
                for (int i = 0; i < count; i++)
                {
                    inout[outOffset + i] = function.applyAsInt(in[inOffset + i], inout[outOffset + i]);
                }
            }

            @Override
            public String toString()
            {
                return "a user-defined int operation";
            }
        };
    }
}
