package io.cohort.mpi.collective;

import io.cohort.mpi.Request;

/**
 * Broadcast algorithms. The binomial tree is MPICH's choice for short messages (R. Thakur, R. Rabenseifner and
 * W. Gropp, "Optimization of Collective Communication Operations in MPICH", IJHPCA 19(1), 2005): ceil(log2 p)
 * rounds, each rank receiving once from its parent and forwarding to its children.
 */
public final class Broadcast
{
    /** The tag of broadcast messages on the collective channel. */
    public static final int TAG = 3;

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
}
