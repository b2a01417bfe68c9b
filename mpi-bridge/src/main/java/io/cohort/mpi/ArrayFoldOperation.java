package io.cohort.mpi;

/**
 * A user-defined operation made of a function over runs of one array type (the {@code ReduceOperation.on...Arrays}
 * factories): folds of that type go to the function, any other type is refused naming the operation.
 *
 * @param <A> the array type the function folds
 */
final class ArrayFoldOperation<A> implements ReduceOperation
{
    private final Class<A> type;
    private final ArrayFold<A> fold;
    private final int unit;
    private final boolean commutative;
    private final String name;

    ArrayFoldOperation(final Class<A> type, final ArrayFold<A> fold, final int unit, final boolean commutative,
        final String name)
    {
        if (unit < 1)
        {
            throw new CohortException("an operation's unit is the number of elements of one value, at least 1; got "
                + unit);
        }
        this.type = type;
        this.fold = fold;
        this.unit = unit;
        this.commutative = commutative;
        this.name = name;
    }

    @Override
    public boolean isCommutative()
    {
        return commutative;
    }

    @Override
    public int unit()
    {
        return unit;
    }

    @Override
    public void apply(final int[] in, final int inOffset, final int[] inout, final int outOffset, final int count)
    {
        run(in, inOffset, inout, outOffset, count, "int");
    }

    @Override
    public void apply(final long[] in, final int inOffset, final long[] inout, final int outOffset, final int count)
    {
        run(in, inOffset, inout, outOffset, count, "long");
    }

    @Override
    public void apply(final float[] in, final int inOffset, final float[] inout, final int outOffset,
        final int count)
    {
        run(in, inOffset, inout, outOffset, count, "float");
    }

    @Override
    public void apply(final double[] in, final int inOffset, final double[] inout, final int outOffset,
        final int count)
    {
        run(in, inOffset, inout, outOffset, count, "double");
    }

    private void run(final Object in, final int inOffset, final Object inout, final int outOffset, final int count,
        final String what)
    {
        if (!type.isInstance(in))
        {
            throw new CohortException(this + " is not defined on " + what + " data");
        }
        fold.fold(type.cast(in), inOffset, type.cast(inout), outOffset, count);
    }

    @Override
    public String toString()
    {
        return name;
    }
}
