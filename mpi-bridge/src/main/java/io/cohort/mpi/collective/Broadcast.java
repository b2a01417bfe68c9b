package io.cohort.mpi.collective;

import io.cohort.mpi.Request;

/**
 * Broadcast algorithms. The binomial tree is MPICH's choice for short messages (R. Thakur, R. Rabenseifner and
 * W. Gropp, "Optimization of Collective Communication Operations in MPICH", IJHPCA 19(1), 2005): ceil(log2 p)
 * rounds, each rank receiving once from its parent and forwarding to its children. For long messages, van de
 * Geijn's scatter-allgather (M. Barnett, S. Gupta, D. Payne, L. Shuler, R. van de Geijn and J. Watts,
 * "Interprocessor collective communication library (InterCom)", SHPCC 1994; MPICH's long-message bcast in the
 * paper above). The choice is {@link CollectiveTuning#bcast}'s.
 */
public final class Broadcast
{
    /** The tag of broadcast messages on the collective channel. */
    public static final int TAG = 3;
    /** The tag of the allgather half of scatter-allgather. */
    public static final int ALLGATHER_TAG = 14;

    private Broadcast()
    {
    }

    /**
     * Binomial-tree broadcast from {@code root}, as a schedule not yet started; works for any size. A rank first
     * receives from its parent, then sends to all its children at once.
     *
     * @param channel the communicator's collective channel
     * @param buffer  the data at the root, where it lands elsewhere
     * @param offset  the first element (byte for a segment)
     * @param count   elements (bytes for a segment)
     * @param root    the rank that has the data
     * @return the schedule
     */
    public static Schedule binomial(final CollectiveChannel channel, final Object buffer, final int offset,
        final int count, final int root)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final int relative = (rank - root + size) % size;
        final Schedule schedule = new Schedule(channel);
        int mask = 1;
        while (mask < size)
        {
            if ((relative & mask) != 0)
            {
                final int parent = (rank - mask + size) % size;
                schedule.step(() -> new Request[] {channel.irecv(buffer, offset, count, parent, TAG)}, null);
                break;
            }
            mask <<= 1;
        }
        final int[] children = new int[Integer.SIZE];
        int found = 0;
        for (mask >>= 1; mask > 0; mask >>= 1)
        {
            if (relative + mask < size)
            {
                children[found++] = (rank + mask) % size;
            }
        }
        final int childCount = found;
        if (childCount > 0)
        {
            schedule.step(() ->
            {
                final Request[] sends = new Request[childCount];
                for (int c = 0; c < childCount; c++)
                {
                    sends[c] = channel.isend(buffer, offset, count, children[c], TAG);
                }
                return sends;
            }, null);
        }
        return schedule;
    }

    /**
     * Broadcast by the algorithm {@code tuning} chooses for this call (from the size, which every rank has alike),
     * as a schedule not yet started.
     *
     * @param tuning  the selection
     * @param channel the communicator's collective channel
     * @param buffer  the data at the root, where it lands elsewhere (an array or a segment)
     * @param offset  the first element (byte for a segment)
     * @param count   elements (bytes for a segment)
     * @param root    the rank that has the data
     * @return the schedule
     */
    public static Schedule bcast(final CollectiveTuning tuning, final CollectiveChannel channel, final Object buffer,
        final int offset, final int count, final int root)
    {
        if (tuning.bcast((long) count * Blocks.elementBytes(buffer), channel.size())
            == CollectiveAlgorithm.SCATTER_ALLGATHER)
        {
            return scatterAllgather(channel, buffer, offset, count, root);
        }
        return binomial(channel, buffer, offset, count, root);
    }

    /**
     * Van de Geijn's scatter-allgather broadcast, as a schedule not yet started (Barnett et al., SHPCC 1994; MPICH's
     * choice for long messages, Thakur, Rabenseifner and Gropp, IJHPCA 2005): the root's data is cut into p pieces,
     * scattered down a binomial tree (each subtree receives the pieces of its ranks in one message), then a ring
     * allgather passes every piece round. About 2 n bytes cross each link instead of n log2 p, at the price of
     * log2 p + p - 1 steps. Works for any size; with fewer elements than ranks some pieces are empty.
     *
     * @param channel the communicator's collective channel
     * @param buffer  the data at the root, where it lands elsewhere (an array or a segment)
     * @param offset  the first element (byte for a segment)
     * @param count   elements (bytes for a segment)
     * @param root    the rank that has the data
     * @return the schedule
     */
    public static Schedule scatterAllgather(final CollectiveChannel channel, final Object buffer, final int offset,
        final int count, final int root)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final int relative = (rank - root + size) % size;
        final Schedule schedule = new Schedule(channel);
        if (size == 1)
        {
            return schedule;
        }
        int mask = 1;
        while (mask < size)
        {
            if ((relative & mask) != 0)
            {
                // This rank's subtree holds relative ranks relative .. relative + mask - 1: their pieces come at once.
                final int parent = (rank - mask + size) % size;
                final int from = offset + Blocks.start(count, 1, size, relative);
                final int length = offset + Blocks.start(count, 1, size, Math.min(relative + mask, size)) - from;
                schedule.step(() -> new Request[] {channel.irecv(buffer, from, length, parent, TAG)}, null);
                break;
            }
            mask <<= 1;
        }
        final int[] children = new int[Integer.SIZE];
        final int[] froms = new int[Integer.SIZE];
        final int[] lengths = new int[Integer.SIZE];
        int found = 0;
        for (mask >>= 1; mask > 0; mask >>= 1)
        {
            if (relative + mask < size)
            {
                children[found] = (rank + mask) % size;
                froms[found] = offset + Blocks.start(count, 1, size, relative + mask);
                lengths[found] = offset + Blocks.start(count, 1, size, Math.min(relative + 2 * mask, size))
                    - froms[found];
                found++;
            }
        }
        final int childCount = found;
        if (childCount > 0)
        {
            schedule.step(() ->
            {
                final Request[] sends = new Request[childCount];
                for (int c = 0; c < childCount; c++)
                {
                    sends[c] = channel.isend(buffer, froms[c], lengths[c], children[c], TAG);
                }
                return sends;
            }, null);
        }
        final int right = (rank + 1) % size;
        final int left = (rank - 1 + size) % size;
        for (int step = 0; step < size - 1; step++)
        {
            final int give = (relative - step + size) % size;
            final int take = (relative - step - 1 + size) % size;
            final int giveFrom = offset + Blocks.start(count, 1, size, give);
            final int giveCount = offset + Blocks.start(count, 1, size, give + 1) - giveFrom;
            final int takeFrom = offset + Blocks.start(count, 1, size, take);
            final int takeCount = offset + Blocks.start(count, 1, size, take + 1) - takeFrom;
            schedule.step(() -> new Request[] {channel.irecv(buffer, takeFrom, takeCount, left, ALLGATHER_TAG),
                channel.isend(buffer, giveFrom, giveCount, right, ALLGATHER_TAG)}, null);
        }
        return schedule;
    }
}
