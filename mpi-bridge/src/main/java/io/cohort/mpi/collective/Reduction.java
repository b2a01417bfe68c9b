package io.cohort.mpi.collective;

import io.cohort.mpi.ReduceOperation;
import io.cohort.mpi.Request;

import java.lang.reflect.Array;

/**
 * Reduce, allreduce and scan algorithms, after Thakur, Rabenseifner and Gropp, "Optimization of Collective
 * Communication Operations in MPICH" (IJHPCA 19(1), 2005): a binomial tree for reduce, recursive doubling for
 * allreduce (ranks beyond the largest power of two first fold their data into a partner and get the result back
 * at the end) and for scan. Every combination keeps the lower ranks' data on the left, so non-commutative
 * operations are applied in rank order, as MPI requires; a non-commutative reduce to a root other than 0 reduces
 * to rank 0 first and forwards the result.
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
     * Binomial-tree reduce to {@code root}, as a schedule not yet started.
     *
     * @param channel    the communicator's collective channel
     * @param send       this rank's contribution (an int, long, float or double array)
     * @param sendOffset its first element
     * @param recv       where the root gets the result (ignored elsewhere)
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @param root       the rank that gets the result
     * @return the schedule
     */
    public static Schedule binomialReduce(final CollectiveChannel channel, final Object send, final int sendOffset,
        final Object recv, final int recvOffset, final int count, final ReduceOperation op, final int root)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        // Rotating the tree to the root would reorder the ranks: a non-commutative reduction goes to rank 0.
        final int treeRoot = op.isCommutative() ? root : 0;
        final Buffers buffers = new Buffers(copy(send, sendOffset, count),
            Array.newInstance(send.getClass().getComponentType(), count));
        final Schedule schedule = new Schedule(channel);
        final int relative = (rank - treeRoot + size) % size;
        for (int mask = 1; mask < size; mask <<= 1)
        {
            if ((relative & mask) == 0)
            {
                final int child = relative | mask;
                if (child < size)
                {
                    final int from = (child + treeRoot) % size;
                    schedule.step(() -> new Request[] {channel.irecv(buffers.incoming, 0, count, from, REDUCE_TAG)},
                        () ->
                        {
                            // The child's subtree holds higher ranks: accumulator op incoming, into incoming.
                            op.applyTo(buffers.accumulator, 0, buffers.incoming, 0, count);
                            buffers.swap();
                        });
                }
            }
            else
            {
                final int parent = ((relative & ~mask) + treeRoot) % size;
                schedule.step(() -> new Request[] {channel.isend(buffers.accumulator, 0, count, parent, REDUCE_TAG)},
                    null);
                break;
            }
        }
        if (treeRoot != root && rank == treeRoot)
        {
            schedule.step(() -> new Request[] {channel.isend(buffers.accumulator, 0, count, root, REDUCE_TAG)}, null);
        }
        else if (treeRoot != root && rank == root)
        {
            schedule.step(() -> new Request[] {channel.irecv(buffers.accumulator, 0, count, treeRoot, REDUCE_TAG)},
                null);
        }
        if (rank == root)
        {
            schedule.then(() -> System.arraycopy(buffers.accumulator, 0, recv, recvOffset, count));
        }
        return schedule;
    }

    /**
     * Recursive-doubling allreduce, as a schedule not yet started; works for any communicator size.
     *
     * @param channel    the communicator's collective channel
     * @param send       this rank's contribution (an int, long, float or double array)
     * @param sendOffset its first element
     * @param recv       where every rank gets the result (may be {@code send} at the same offset)
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the schedule
     */
    public static Schedule recursiveDoublingAllreduce(final CollectiveChannel channel, final Object send,
        final int sendOffset, final Object recv, final int recvOffset, final int count, final ReduceOperation op)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Schedule schedule = new Schedule(channel);
        if (send != recv || sendOffset != recvOffset)
        {
            schedule.then(() -> System.arraycopy(send, sendOffset, recv, recvOffset, count));
        }
        if (size == 1)
        {
            return schedule;
        }
        final Object incoming = Array.newInstance(send.getClass().getComponentType(), count);
        final int powerOfTwo = Integer.highestOneBit(size);
        final int extra = size - powerOfTwo;
        final int newRank;
        if (rank < 2 * extra)
        {
            if (rank % 2 == 0)
            {
                schedule.step(() -> new Request[] {channel.isend(recv, recvOffset, count, rank + 1, ALLREDUCE_TAG)},
                    null);
                newRank = -1;
            }
            else
            {
                schedule.step(() -> new Request[] {channel.irecv(incoming, 0, count, rank - 1, ALLREDUCE_TAG)},
                    () -> op.applyTo(incoming, 0, recv, recvOffset, count));
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
                schedule.step(() -> new Request[] {channel.irecv(incoming, 0, count, partner, ALLREDUCE_TAG),
                    channel.isend(recv, recvOffset, count, partner, ALLREDUCE_TAG)},
                    () -> foldInRankOrder(op, incoming, partner < rank, recv, recvOffset, count));
            }
        }
        if (rank < 2 * extra)
        {
            if (rank % 2 == 1)
            {
                schedule.step(() -> new Request[] {channel.isend(recv, recvOffset, count, rank - 1, ALLREDUCE_TAG)},
                    null);
            }
            else
            {
                schedule.step(() -> new Request[] {channel.irecv(recv, recvOffset, count, rank + 1, ALLREDUCE_TAG)},
                    null);
            }
        }
        return schedule;
    }

    /** The two working buffers of a reduce, swapped after each combination. */
    private static final class Buffers
    {
        Object accumulator;
        Object incoming;

        Buffers(final Object accumulator, final Object incoming)
        {
            this.accumulator = accumulator;
            this.incoming = incoming;
        }

        void swap()
        {
            final Object previous = accumulator;
            accumulator = incoming;
            incoming = previous;
        }
    }

    /**
     * Recursive-doubling inclusive or exclusive prefix reduction (MPI_Scan, MPI_Exscan), as a schedule, after
     * MPICH: in round k each rank exchanges its partial result with rank XOR 2^k and folds in what comes from
     * below, keeping rank order. An exclusive scan leaves rank 0's receive buffer untouched, as MPI leaves it
     * undefined.
     *
     * @param channel    the collective channel
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where this rank's prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @param inclusive  true for scan, false for exscan
     * @return the schedule, not yet started
     */
    public static Schedule recursiveDoublingScan(final CollectiveChannel channel, final Object send,
        final int sendOffset, final Object recv, final int recvOffset, final int count, final ReduceOperation op,
        final boolean inclusive)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Object partial = copy(send, sendOffset, count);
        final Object incoming = Array.newInstance(send.getClass().getComponentType(), count);
        final boolean[] haveBelow = {inclusive};
        final Schedule schedule = new Schedule(channel);
        if (inclusive && (send != recv || sendOffset != recvOffset))
        {
            schedule.then(() -> System.arraycopy(send, sendOffset, recv, recvOffset, count));
        }
        for (int mask = 1; mask < size; mask <<= 1)
        {
            final int partner = rank ^ mask;
            if (partner < size)
            {
                schedule.step(() -> new Request[] {channel.irecv(incoming, 0, count, partner, SCAN_TAG),
                    channel.isend(partial, 0, count, partner, SCAN_TAG)}, () ->
                    {
                        if (partner < rank)
                        {
                            if (haveBelow[0])
                            {
                                op.applyTo(incoming, 0, recv, recvOffset, count);
                            }
                            else
                            {
                                System.arraycopy(incoming, 0, recv, recvOffset, count);
                                haveBelow[0] = true;
                            }
                        }
                        foldInRankOrder(op, incoming, partner < rank, partial, 0, count);
                    });
            }
        }
        return schedule;
    }

    /**
     * Folds a partner's data into ours keeping rank order: (theirs op ours) if the partner's ranks are lower,
     * else (ours op theirs), computed in the partner's buffer and copied back. The partner's buffer is spent.
     */
    private static void foldInRankOrder(final ReduceOperation op, final Object theirs, final boolean theirsIsLower,
        final Object ours, final int offset, final int count)
    {
        if (theirsIsLower || op.isCommutative())
        {
            op.applyTo(theirs, 0, ours, offset, count);
        }
        else
        {
            op.applyTo(ours, offset, theirs, 0, count);
            System.arraycopy(theirs, 0, ours, offset, count);
        }
    }

    private static Object copy(final Object array, final int offset, final int count)
    {
        final Object copy = Array.newInstance(array.getClass().getComponentType(), count);
        System.arraycopy(array, offset, copy, 0, count);
        return copy;
    }
}
