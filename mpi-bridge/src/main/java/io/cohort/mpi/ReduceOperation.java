package io.cohort.mpi;

import java.util.function.DoubleBinaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * A reduction operation: the predefined ones are {@link ReduceOp}; make your own from an element-wise function or
 * from a function over whole arrays (as MPI_Op_create's function over buffers), commutative or not (a
 * non-commutative one is applied in rank order, as MPI requires).
 * <pre>{@code
 * ReduceOperation hypot = ReduceOperation.ofDoubles((a, b) -> Math.hypot(a, b), true);
 * world.allreduce(local, 0, global, 0, n, hypot);
 * // 2x2 matrices, four doubles each, multiplied in rank order (not commutative):
 * ReduceOperation product = ReduceOperation.onDoubleArrays((in, i, inout, o, count) -> {
 *     for (int k = 0; k < count; k += 4) { multiply(in, i + k, inout, o + k); }
 * }, 4, false);
 * }</pre>
 * Reductions of values in segments and buffers are combined in arrays of the value's type, so these operations
 * serve them too (byte, short and char values as ints).
 * Each {@code apply} folds {@code in} into {@code inout} with {@code in} as the left operand:
 * {@code inout[i] = in[i] op inout[i]}. {@code in} is read only: it may be the caller's own send array, which a
 * reduction must leave as it was. A type an operation does not support raises {@link CohortException}.
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
     * How many consecutive elements form one value of this operation (4 for a 2x2 matrix of doubles): algorithms
     * that split a vector between ranks split it only between values, and a count must be a multiple of it.
     *
     * @return elements per value, 1 unless the operation says otherwise
     */
    default int unit()
    {
        return 1;
    }

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
        // instanceof tests rather than a pattern switch: one class-pointer comparison each once compiled.
        if (in instanceof double[] a)
        {
            apply(a, inOffset, (double[]) inout, outOffset, count);
        }
        else if (in instanceof long[] a)
        {
            apply(a, inOffset, (long[]) inout, outOffset, count);
        }
        else if (in instanceof int[] a)
        {
            apply(a, inOffset, (int[]) inout, outOffset, count);
        }
        else if (in instanceof float[] a)
        {
            apply(a, inOffset, (float[]) inout, outOffset, count);
        }
        else
        {
            throw new CohortException("reductions take int, long, float or double arrays, not "
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

    /** A float function of two floats, which the JDK does not have. */
    @FunctionalInterface
    interface FloatBinaryOperator
    {
        /**
         * Combines two values.
         *
         * @param left  the left operand
         * @param right the right operand
         * @return the result
         */
        float applyAsFloat(float left, float right);
    }

    /**
     * Folds a run of one array into another: {@code inout[outOffset + k] = in[inOffset + k] op inout[outOffset + k]}
     * for {@code k} below {@code count}, in any way it likes (several elements may form one value).
     *
     * @param <A> the array type
     */
    @FunctionalInterface
    interface ArrayFold<A>
    {
        /**
         * Folds {@code in} into {@code inout}.
         *
         * @param in        the left operands
         * @param inOffset  the first of them
         * @param inout     the right operands, replaced by the results
         * @param outOffset the first of them
         * @param count     elements
         */
        void fold(A in, int inOffset, A inout, int outOffset, int count);
    }

    /**
     * An operation on float data from an element-wise function (computed in float, unlike {@link #ofDoubles}).
     *
     * @param function    {@code (left, right) -> result}
     * @param commutative whether the function is commutative
     * @return the operation
     */
    static ReduceOperation ofFloats(final FloatBinaryOperator function, final boolean commutative)
    {
        return onFloatArrays((in, inOffset, inout, outOffset, count) ->
        {
            for (int i = 0; i < count; i++)
            {
                inout[outOffset + i] = function.applyAsFloat(in[inOffset + i], inout[outOffset + i]);
            }
        }, 1, commutative);
    }

    /**
     * An operation on double data from a function over whole runs of elements.
     *
     * @param fold        folds a run of {@code in} into {@code inout}, always whole values
     * @param unit        elements per value (1 for element-wise operations)
     * @param commutative whether the operation is commutative
     * @return the operation
     */
    static ReduceOperation onDoubleArrays(final ArrayFold<double[]> fold, final int unit, final boolean commutative)
    {
        return new ArrayFoldOperation<>(double[].class, fold, unit, commutative, "a user-defined operation on double "
            + "arrays");
    }

    /**
     * An operation on float data from a function over whole runs of elements.
     *
     * @param fold        folds a run of {@code in} into {@code inout}, always whole values
     * @param unit        elements per value (1 for element-wise operations)
     * @param commutative whether the operation is commutative
     * @return the operation
     */
    static ReduceOperation onFloatArrays(final ArrayFold<float[]> fold, final int unit, final boolean commutative)
    {
        return new ArrayFoldOperation<>(float[].class, fold, unit, commutative, "a user-defined operation on float "
            + "arrays");
    }

    /**
     * An operation on long data from a function over whole runs of elements.
     *
     * @param fold        folds a run of {@code in} into {@code inout}, always whole values
     * @param unit        elements per value (1 for element-wise operations)
     * @param commutative whether the operation is commutative
     * @return the operation
     */
    static ReduceOperation onLongArrays(final ArrayFold<long[]> fold, final int unit, final boolean commutative)
    {
        return new ArrayFoldOperation<>(long[].class, fold, unit, commutative, "a user-defined operation on long "
            + "arrays");
    }

    /**
     * An operation on int data (and byte, short and char values, which are combined as ints) from a function over
     * whole runs of elements.
     *
     * @param fold        folds a run of {@code in} into {@code inout}, always whole values
     * @param unit        elements per value (1 for element-wise operations)
     * @param commutative whether the operation is commutative
     * @return the operation
     */
    static ReduceOperation onIntArrays(final ArrayFold<int[]> fold, final int unit, final boolean commutative)
    {
        return new ArrayFoldOperation<>(int[].class, fold, unit, commutative, "a user-defined operation on int "
            + "arrays");
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
