package io.cohort.mpi.collective;

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
     * Binomial-tree broadcast from {@code root}; works for any communicator size.
     *
     * @param channel the communicator's collective channel
     * @param buffer  the data at the root, where it lands elsewhere
     * @param offset  the first element (byte for a segment)
     * @param count   elements (bytes for a segment)
     * @param root    the rank that has the data
     */
    public static void binomial(final CollectiveChannel channel, final Object buffer, final int offset,
        final int count, final int root)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final int relative = (rank - root + size) % size;
        int mask = 1;
        while (mask < size)
        {
            if ((relative & mask) != 0)
            {
                channel.recv(buffer, offset, count, (rank - mask + size) % size, TAG);
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while (mask > 0)
        {
            if (relative + mask < size)
            {
                channel.send(buffer, offset, count, (rank + mask) % size, TAG);
            }
            mask >>= 1;
        }
    }
}
