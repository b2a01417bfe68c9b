package io.cohort.mpi.collective;

import io.cohort.mpi.CohortException;
import io.cohort.mpi.ReduceOperation;
import io.cohort.mpi.Request;

import java.lang.reflect.Array;

/**
 * Reduce, allreduce and scan algorithms, after Thakur, Rabenseifner and Gropp, "Optimization of Collective
 * Communication Operations in MPICH" (IJHPCA 19(1), 2005): a binomial tree for reduce, recursive doubling for
 * allreduce (ranks beyond the largest power of two first fold their data into a partner and get the result back
 * at the end) and for scan. Every combination keeps the lower ranks' data on the left, so non-commutative
 * operations are applied in rank order, as MPI requires; a non-commutative reduce to a root other than 0 reduces
 * to rank 0 first and forwards the result. For large allreduce, Rabenseifner's algorithm (reduce-scatter by
 * recursive halving, then allgather by recursive doubling; R. Rabenseifner, "Optimization of Collective Reduction
 * Operations", ICCS 2004, and the MPICH paper above) and the ring (as in Patarasuk and Yuan, "Bandwidth optimal
 * all-reduce algorithms for clusters of workstations", JPDC 69(2), 2009, and Baidu's ring allreduce); the choice
 * is {@link CollectiveTuning#allreduce}'s.
 */
public final class Reduction
{
    /** The tag of reduce messages on the collective channel. */
    public static final int REDUCE_TAG = 4;
    /** The tag of allreduce messages on the collective channel. */
    public static final int ALLREDUCE_TAG = 5;
    /** The tag of scan messages on the collective channel. */
    public static final int SCAN_TAG = 10;
    /** The tag of the reduce-scatter half of Rabenseifner's allreduce and of the ring allreduce. */
    public static final int REDUCE_SCATTER_TAG = 11;
    /** The tag of reduce-scatter messages. */
    public static final int REDUCE_SCATTER_CALL_TAG = 13;
    /** The tag of the allgather half of Rabenseifner's allreduce and of the ring allreduce. */
    public static final int ALLGATHER_HALF_TAG = 12;

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

    /**
     * Allreduce by the algorithm {@code tuning} chooses for this call, as a schedule not yet started. Every rank
     * makes the same choice: it depends on the count, the element type, the communicator's size and the
     * operation, which MPI requires to be alike on every rank.
     *
     * @param tuning     the selection
     * @param channel    the communicator's collective channel
     * @param send       this rank's contribution (an int, long, float or double array)
     * @param sendOffset its first element
     * @param recv       where every rank gets the result (may be {@code send} at the same offset)
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the schedule
     */
    public static Schedule allreduce(final CollectiveTuning tuning, final CollectiveChannel channel,
        final Object send, final int sendOffset, final Object recv, final int recvOffset, final int count,
        final ReduceOperation op)
    {
        final int grain = grain(op, count);
        final CollectiveAlgorithm algorithm = tuning.allreduce((long) count * Blocks.elementBytes(send),
            count / grain, channel.size(), op.isCommutative());
        return switch (algorithm)
        {
            case RABENSEIFNER -> rabenseifnerAllreduce(channel, send, sendOffset, recv, recvOffset, count, op,
                grain);
            case RING -> ringAllreduce(channel, send, sendOffset, recv, recvOffset, count, op, grain);
            default -> recursiveDoublingAllreduce(channel, send, sendOffset, recv, recvOffset, count, op);
        };
    }

    /**
     * Blocking allreduce: recursive doubling (the small-message choice) runs at once as blocking exchanges, with no
     * schedule and, on a channel that reuses scratch space, no allocation; any other algorithm runs as its schedule,
     * awaited.
     *
     * @param tuning     the selection
     * @param channel    the communicator's collective channel
     * @param send       this rank's contribution (an int, long, float or double array)
     * @param sendOffset its first element
     * @param recv       where every rank gets the result (may be {@code send} at the same offset)
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     */
    public static void allreduceNow(final CollectiveTuning tuning, final CollectiveChannel channel,
        final Object send, final int sendOffset, final Object recv, final int recvOffset, final int count,
        final ReduceOperation op)
    {
        final int grain = grain(op, count);
        final CollectiveAlgorithm algorithm = tuning.allreduce((long) count * Blocks.elementBytes(send),
            count / grain, channel.size(), op.isCommutative());
        if (algorithm == CollectiveAlgorithm.RECURSIVE_DOUBLING)
        {
            recursiveDoublingAllreduceNow(channel, send, sendOffset, recv, recvOffset, count, op);
        }
        else
        {
            allreduce(tuning, channel, send, sendOffset, recv, recvOffset, count, op).start().await();
        }
    }

    /**
     * Recursive-doubling allreduce run at once, blocking: the steps of {@link #recursiveDoublingAllreduce}, each a
     * blocking exchange.
     */
    private static void recursiveDoublingAllreduceNow(final CollectiveChannel channel, final Object send,
        final int sendOffset, final Object recv, final int recvOffset, final int count, final ReduceOperation op)
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
        final Object incoming = channel.scratch(recv, count);
        final int powerOfTwo = Integer.highestOneBit(size);
        final int extra = size - powerOfTwo;
        int newRank = rank - extra;
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
                op.applyTo(incoming, 0, recv, recvOffset, count);
                newRank = rank / 2;
            }
        }
        if (newRank >= 0)
        {
            for (int mask = 1; mask < powerOfTwo; mask <<= 1)
            {
                final int newPartner = newRank ^ mask;
                final int partner = newPartner < extra ? newPartner * 2 + 1 : newPartner + extra;
                channel.sendrecv(recv, recvOffset, count, partner, incoming, 0, count, partner, ALLREDUCE_TAG);
                foldInRankOrder(op, incoming, partner < rank, recv, recvOffset, count);
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
     * The elements that must stay together when a vector is split into blocks: MINLOC and MAXLOC work on
     * (value, index) pairs; a user-defined operation on values of several elements ({@link ReduceOperation#unit()},
     * as MPI's user operations work on whole datatypes) on its values; every other operation element by element.
     *
     * @param op    the operation
     * @param count the elements of the call
     * @return the operation's unit (2 for MINLOC and MAXLOC)
     * @throws CohortException if the count is not a whole number of values
     */
    public static int grain(final ReduceOperation op, final int count)
    {
        final int unit = op.unit();
        if (count % unit != 0)
        {
            throw new CohortException(op + " combines values of " + unit + " elements: the count " + count
                + " must be a multiple of " + unit);
        }
        return unit;
    }

    /**
     * Rabenseifner's allreduce, as a schedule not yet started (R. Rabenseifner, ICCS 2004; MPICH's algorithm for
     * long messages, in Thakur, Rabenseifner and Gropp, IJHPCA 2005): a reduce-scatter by recursive halving leaves
     * each of the largest power of two p' of ranks with 1/p' of the result, then an allgather by recursive
     * doubling gives everyone all of it; 2 log2 p' messages and about 2 n bytes moved per rank instead of
     * n log2 p'. The p - p' extra ranks first fold their data into a neighbour (rank 2i into 2i + 1) and get the
     * result back at the end. Each partial result covers a contiguous range of ranks, and the lower range is always
     * the left operand, so non-commutative operations keep rank order. Blocks are split between units of
     * {@code grain} elements.
     *
     * @param channel    the communicator's collective channel
     * @param send       this rank's contribution (an int, long, float or double array)
     * @param sendOffset its first element
     * @param recv       where every rank gets the result (may be {@code send} at the same offset)
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @param grain      elements that stay together (2 for MINLOC and MAXLOC, else 1)
     * @return the schedule
     */
    public static Schedule rabenseifnerAllreduce(final CollectiveChannel channel, final Object send,
        final int sendOffset, final Object recv, final int recvOffset, final int count, final ReduceOperation op,
        final int grain)
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
        final Object incoming = Blocks.scratch(recv, count);
        final int powerOfTwo = Integer.highestOneBit(size);
        final int extra = size - powerOfTwo;
        final int newRank = fold(schedule, channel, recv, recvOffset, count, op, incoming, extra);
        if (newRank >= 0)
        {
            final int units = count / grain;
            final int rounds = Integer.numberOfTrailingZeros(powerOfTwo);
            // The block range held before each round, so the allgather can retrace the halving backwards.
            final int[] parentFirst = new int[rounds];
            final int[] parentLast = new int[rounds];
            int first = 0;
            int last = powerOfTwo;
            for (int round = 0; round < rounds; round++)
            {
                final int mask = 1 << round;
                final int newPartner = newRank ^ mask;
                final int partner = newPartner < extra ? newPartner * 2 + 1 : newPartner + extra;
                final int middle = (first + last) >>> 1;
                final boolean keepLow = newRank < newPartner;
                final int keepFrom = Blocks.start(units, grain, powerOfTwo, keepLow ? first : middle);
                final int keepCount = Blocks.start(units, grain, powerOfTwo, keepLow ? middle : last) - keepFrom;
                final int giveFrom = Blocks.start(units, grain, powerOfTwo, keepLow ? middle : first);
                final int giveCount = Blocks.start(units, grain, powerOfTwo, keepLow ? last : middle) - giveFrom;
                schedule.step(() -> new Request[] {
                    channel.irecv(incoming, 0, keepCount, partner, REDUCE_SCATTER_TAG),
                    channel.isend(recv, recvOffset + giveFrom, giveCount, partner, REDUCE_SCATTER_TAG)},
                    () -> foldInRankOrder(op, incoming, !keepLow, recv, recvOffset + keepFrom, keepCount));
                parentFirst[round] = first;
                parentLast[round] = last;
                first = keepLow ? first : middle;
                last = keepLow ? middle : last;
            }
            for (int round = rounds - 1; round >= 0; round--)
            {
                final int newPartner = newRank ^ (1 << round);
                final int partner = newPartner < extra ? newPartner * 2 + 1 : newPartner + extra;
                final int mineFrom = Blocks.start(units, grain, powerOfTwo, first);
                final int mineCount = Blocks.start(units, grain, powerOfTwo, last) - mineFrom;
                final int otherFirst = first == parentFirst[round] ? last : parentFirst[round];
                final int otherLast = first == parentFirst[round] ? parentLast[round] : first;
                final int otherFrom = Blocks.start(units, grain, powerOfTwo, otherFirst);
                final int otherCount = Blocks.start(units, grain, powerOfTwo, otherLast) - otherFrom;
                schedule.step(() -> new Request[] {
                    channel.irecv(recv, recvOffset + otherFrom, otherCount, partner, ALLGATHER_HALF_TAG),
                    channel.isend(recv, recvOffset + mineFrom, mineCount, partner, ALLGATHER_HALF_TAG)}, null);
                first = parentFirst[round];
                last = parentLast[round];
            }
        }
        unfold(schedule, channel, recv, recvOffset, count, extra);
        return schedule;
    }

    /**
     * The ring allreduce, as a schedule not yet started (Patarasuk and Yuan, JPDC 2009; the algorithm of Baidu's
     * and NCCL's allreduce): the vector is cut into p blocks; in p - 1 reduce-scatter steps each rank passes a
     * partial block to its right neighbour and folds in the one from its left, then p - 1 allgather steps pass the
     * finished blocks round. Bandwidth-optimal for any p (each rank sends 2 (p - 1) / p of the data), but 2 (p - 1)
     * steps of latency, and each block is combined starting from a different rank: commutative operations only
     * ({@link CollectiveTuning#allreduce} never picks it for others). Each block is finished by one rank, so
     * every rank gets bitwise the same result even in floating point.
     *
     * @param channel    the communicator's collective channel
     * @param send       this rank's contribution (an int, long, float or double array)
     * @param sendOffset its first element
     * @param recv       where every rank gets the result (may be {@code send} at the same offset)
     * @param recvOffset its first element
     * @param count      elements
     * @param op         a commutative operation
     * @param grain      elements that stay together (2 for MINLOC and MAXLOC, else 1)
     * @return the schedule
     */
    public static Schedule ringAllreduce(final CollectiveChannel channel, final Object send, final int sendOffset,
        final Object recv, final int recvOffset, final int count, final ReduceOperation op, final int grain)
    {
        if (!op.isCommutative())
        {
            throw new CohortException("the ring allreduce combines out of rank order: " + op + " is not commutative;"
                + " use rabenseifner or recursive-doubling");
        }
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
        final int units = count / grain;
        final Object incoming = Blocks.scratch(recv, ((units + size - 1) / size) * grain);
        final int right = (rank + 1) % size;
        final int left = (rank - 1 + size) % size;
        for (int step = 0; step < size - 1; step++)
        {
            final int giveFrom = Blocks.start(units, grain, size, (rank - step + size) % size);
            final int giveCount = Blocks.start(units, grain, size, (rank - step + size) % size + 1) - giveFrom;
            final int takeFrom = Blocks.start(units, grain, size, (rank - step - 1 + size) % size);
            final int takeCount = Blocks.start(units, grain, size, (rank - step - 1 + size) % size + 1) - takeFrom;
            schedule.step(() -> new Request[] {
                channel.irecv(incoming, 0, takeCount, left, REDUCE_SCATTER_TAG),
                channel.isend(recv, recvOffset + giveFrom, giveCount, right, REDUCE_SCATTER_TAG)},
                () -> op.applyTo(incoming, 0, recv, recvOffset + takeFrom, takeCount));
        }
        for (int step = 0; step < size - 1; step++)
        {
            final int giveFrom = Blocks.start(units, grain, size, (rank + 1 - step + size) % size);
            final int giveCount = Blocks.start(units, grain, size, (rank + 1 - step + size) % size + 1) - giveFrom;
            final int takeFrom = Blocks.start(units, grain, size, (rank - step + size) % size);
            final int takeCount = Blocks.start(units, grain, size, (rank - step + size) % size + 1) - takeFrom;
            schedule.step(() -> new Request[] {
                channel.irecv(recv, recvOffset + takeFrom, takeCount, left, ALLGATHER_HALF_TAG),
                channel.isend(recv, recvOffset + giveFrom, giveCount, right, ALLGATHER_HALF_TAG)}, null);
        }
        return schedule;
    }

    /**
     * Reduce-scatter (MPI_Reduce_scatter) as a schedule not yet started. A commutative operation runs the ring
     * (the reduce-scatter half of the ring allreduce, Patarasuk and Yuan, JPDC 2009, with the blocks shifted so
     * that rank r finishes block r): p - 1 steps, each rank sending one partial block to its right neighbour and
     * folding in the one from its left, so each rank sends about (p - 1) / p of the vector, for any block sizes.
     * A non-commutative operation must combine in rank order, which the ring does not: it runs the allreduce the
     * tuning picks for the whole vector (those keep rank order) and keeps its own block.
     *
     * @param tuning     the selection, for the non-commutative case
     * @param channel    the communicator's collective channel
     * @param send       every rank's whole vector, the sum of {@code counts} elements (an int, long, float or
     *                   double array)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param counts     each rank's block size, the same on every rank
     * @param op         the operation
     * @return the schedule
     */
    public static Schedule reduceScatter(final CollectiveTuning tuning, final CollectiveChannel channel,
        final Object send, final int sendOffset, final Object recv, final int recvOffset, final int[] counts,
        final ReduceOperation op)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final int[] displs = new int[size + 1];
        for (int r = 0; r < size; r++)
        {
            displs[r + 1] = displs[r] + counts[r];
        }
        final int total = displs[size];
        final Object whole = Blocks.scratch(send, total);
        if (!op.isCommutative())
        {
            return allreduce(tuning, channel, send, sendOffset, whole, 0, total, op)
                .then(() -> System.arraycopy(whole, displs[rank], recv, recvOffset, counts[rank]));
        }
        int largest = 0;
        for (final int count : counts)
        {
            largest = Math.max(largest, count);
        }
        final Object incoming = Blocks.scratch(send, largest);
        final Schedule schedule = new Schedule(channel);
        schedule.then(() -> System.arraycopy(send, sendOffset, whole, 0, total));
        final int right = (rank + 1) % size;
        final int left = (rank - 1 + size) % size;
        for (int step = 0; step < size - 1; step++)
        {
            final int give = (rank - step - 1 + 2 * size) % size;
            final int take = (rank - step - 2 + 2 * size) % size;
            schedule.step(() -> new Request[] {
                channel.irecv(incoming, 0, counts[take], left, REDUCE_SCATTER_CALL_TAG),
                channel.isend(whole, displs[give], counts[give], right, REDUCE_SCATTER_CALL_TAG)},
                () -> op.applyTo(incoming, 0, whole, displs[take], counts[take]));
        }
        return schedule.then(() -> System.arraycopy(whole, displs[rank], recv, recvOffset, counts[rank]));
    }

    /**
     * Folds the ranks beyond the largest power of two into their neighbours (rank 2i sends all its data to 2i + 1,
     * which combines it as the left operand) and returns this rank's number among the remaining power of two, or
     * -1 if it sits out.
     */
    private static int fold(final Schedule schedule, final CollectiveChannel channel, final Object recv,
        final int recvOffset, final int count, final ReduceOperation op, final Object incoming, final int extra)
    {
        final int rank = channel.rank();
        if (rank >= 2 * extra)
        {
            return rank - extra;
        }
        if (rank % 2 == 0)
        {
            schedule.step(() -> new Request[] {channel.isend(recv, recvOffset, count, rank + 1, ALLREDUCE_TAG)},
                null);
            return -1;
        }
        schedule.step(() -> new Request[] {channel.irecv(incoming, 0, count, rank - 1, ALLREDUCE_TAG)},
            () -> op.applyTo(incoming, 0, recv, recvOffset, count));
        return rank / 2;
    }

    /** Gives the folded ranks the result: 2i + 1 sends it back to 2i. */
    private static void unfold(final Schedule schedule, final CollectiveChannel channel, final Object recv,
        final int recvOffset, final int count, final int extra)
    {
        final int rank = channel.rank();
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
