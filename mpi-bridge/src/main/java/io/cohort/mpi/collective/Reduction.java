package io.cohort.mpi.collective;

import io.cohort.mpi.Request;

import java.lang.reflect.Array;

/**
 * Reduce and allreduce algorithms for commutative operations (every predefined one is), after Thakur, Rabenseifner
 * and Gropp, "Optimization of Collective Communication Operations in MPICH" (IJHPCA 19(1), 2005): a binomial tree
 * for reduce, and recursive doubling for allreduce, where ranks beyond the largest power of two first fold their
 * data into a partner and get the result back at the end. Every rank of an allreduce computes each partial result
 * as (own data) op (partner's data) and its partner the mirror image, so with commutative operations all ranks end
 * with bitwise the same result.
 */
public final class Reduction
{
    /** The tag of reduce messages on the collective channel. */
    public static final int REDUCE_TAG = 4;
    /** The tag of allreduce messages on the collective channel. */
    public static final int ALLREDUCE_TAG = 5;
    /** The tag of scan messages on the collective channel. */
    public static final int SCAN_TAG = 10;

    private Reduction()
    {
    }

    /**
     * Binomial-tree reduce to {@code root}.
     *
     * @param channel    the communicator's collective channel
     * @param send       this rank's contribution (an int, long, float or double array)
     * @param sendOffset its first element
     * @param recv       where the root gets the result (ignored elsewhere)
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the combining step
     * @param root       the rank that gets the result
     */
    public static void binomialReduce(final CollectiveChannel channel, final Object send, final int sendOffset,
        final Object recv, final int recvOffset, final int count, final Combiner op, final int root)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Object accumulator = copy(send, sendOffset, count);
        final Object incoming = Array.newInstance(send.getClass().getComponentType(), count);
        final int relative = (rank - root + size) % size;
        for (int mask = 1; mask < size; mask <<= 1)
        {
            if ((relative & mask) == 0)
            {
                final int child = relative | mask;
                if (child < size)
                {
                    channel.recv(incoming, 0, count, (child + root) % size, REDUCE_TAG);
                    op.combine(incoming, 0, accumulator, 0, count);
                }
            }
            else
            {
                channel.send(accumulator, 0, count, ((relative & ~mask) + root) % size, REDUCE_TAG);
                break;
            }
        }
        if (rank == root)
        {
            System.arraycopy(accumulator, 0, recv, recvOffset, count);
        }
    }

    /**
     * Recursive-doubling allreduce; works for any communicator size.
     *
     * @param channel    the communicator's collective channel
     * @param send       this rank's contribution (an int, long, float or double array)
     * @param sendOffset its first element
     * @param recv       where every rank gets the result (may be {@code send} at the same offset)
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the combining step
     */
    public static void recursiveDoublingAllreduce(final CollectiveChannel channel, final Object send,
        final int sendOffset, final Object recv, final int recvOffset, final int count, final Combiner op)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        if (send != recv || sendOffset != recvOffset)
        {
            System.arraycopy(send, sendOffset, recv, recvOffset, count);
        }
        if (size == 1)
        {
            return;
        }
        final Object incoming = Array.newInstance(send.getClass().getComponentType(), count);
        final int powerOfTwo = Integer.highestOneBit(size);
        final int extra = size - powerOfTwo;
        final int newRank;
        if (rank < 2 * extra)
        {
            if (rank % 2 == 0)
            {
                channel.send(recv, recvOffset, count, rank + 1, ALLREDUCE_TAG);
                newRank = -1;
            }
            else
            {
                channel.recv(incoming, 0, count, rank - 1, ALLREDUCE_TAG);
                op.combine(incoming, 0, recv, recvOffset, count);
                newRank = rank / 2;
            }
        }
        else
        {
            newRank = rank - extra;
        }
        if (newRank >= 0)
        {
            for (int mask = 1; mask < powerOfTwo; mask <<= 1)
            {
                final int newPartner = newRank ^ mask;
                final int partner = newPartner < extra ? newPartner * 2 + 1 : newPartner + extra;
                final Request arriving = channel.irecv(incoming, 0, count, partner, ALLREDUCE_TAG);
                channel.send(recv, recvOffset, count, partner, ALLREDUCE_TAG);
                arriving.await();
                op.combine(incoming, 0, recv, recvOffset, count);
            }
        }
        if (rank < 2 * extra)
        {
            if (rank % 2 == 1)
            {
                channel.send(recv, recvOffset, count, rank - 1, ALLREDUCE_TAG);
            }
            else
            {
                channel.recv(recv, recvOffset, count, rank + 1, ALLREDUCE_TAG);
            }
        }
    }

    /**
     * Recursive-doubling inclusive or exclusive prefix reduction (MPI_Scan, MPI_Exscan), for commutative
     * operations, after MPICH: in round k each rank exchanges its partial result with rank XOR 2^k and folds in
     * what comes from below. An exclusive scan leaves rank 0's receive buffer untouched, as MPI leaves it undefined.
     *
     * @param channel    the collective channel
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where this rank's prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the combining step
     * @param inclusive  true for scan, false for exscan
     */
    public static void recursiveDoublingScan(final CollectiveChannel channel, final Object send,
        final int sendOffset, final Object recv, final int recvOffset, final int count, final Combiner op,
        final boolean inclusive)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Object partial = copy(send, sendOffset, count);
        final Object incoming = Array.newInstance(send.getClass().getComponentType(), count);
        boolean haveBelow = inclusive;
        if (inclusive && (send != recv || sendOffset != recvOffset))
        {
            System.arraycopy(send, sendOffset, recv, recvOffset, count);
        }
        for (int mask = 1; mask < size; mask <<= 1)
        {
            final int partner = rank ^ mask;
            if (partner < size)
            {
                final Request arriving = channel.irecv(incoming, 0, count, partner, SCAN_TAG);
                channel.send(partial, 0, count, partner, SCAN_TAG);
                arriving.await();
                op.combine(incoming, 0, partial, 0, count);
                if (partner < rank)
                {
                    if (haveBelow)
                    {
                        op.combine(incoming, 0, recv, recvOffset, count);
                    }
                    else
                    {
                        System.arraycopy(incoming, 0, recv, recvOffset, count);
                        haveBelow = true;
                    }
                }
            }
        }
    }

    private static Object copy(final Object array, final int offset, final int count)
    {
        final Object copy = Array.newInstance(array.getClass().getComponentType(), count);
        System.arraycopy(array, offset, copy, 0, count);
        return copy;
    }
}
