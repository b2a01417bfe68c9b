package io.cohort.mpi.collective;

/** A reduction's combining step over arrays: {@code inout[out + i] = inout[out + i] op in[in + i]}. */
@FunctionalInterface
public interface Combiner
{
    /**
     * Folds {@code in} into {@code inout}.
     *
     * @param in        the operand array
     * @param inOffset  its first element
     * @param inout     the accumulator array, of the same type
     * @param outOffset its first element
     * @param count     the number of elements
     */
    void combine(Object in, int inOffset, Object inout, int outOffset, int count);
}
