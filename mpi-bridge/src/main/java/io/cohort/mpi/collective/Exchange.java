package io.cohort.mpi.collective;

import io.cohort.mpi.Request;

/**
 * Gather, scatter, allgather and all-to-all, each in its variable-count form (the fixed-count forms pass equal
 * counts). Algorithms after Thakur, Rabenseifner and Gropp, "Optimization of Collective Communication Operations
 * in MPICH" (IJHPCA 19(1), 2005): linear gather and scatter at the root (every message posted at once), the ring
 * algorithm for allgather (p - 1 steps, each passing one block to the right neighbour), and pairwise exchange for
 * all-to-all (in step i, send to rank + i and receive from rank - i). Counts and displacements are in elements.
 */
public final class Exchange
{
    /** The tag of gather messages. */
    public static final int GATHER_TAG = 6;
    /** The tag of scatter messages. */
    public static final int SCATTER_TAG = 7;
    /** The tag of allgather messages. */
    public static final int ALLGATHER_TAG = 8;
    /** The tag of all-to-all messages. */
    public static final int ALLTOALL_TAG = 9;

    private Exchange()
    {
    }

    /**
     * Linear gather, as a schedule: every rank sends its block to the root, which posts all receives at once.
     *
     * @param channel the collective channel
     * @param send    this rank's block
     * @param offset  its first element
     * @param count   its number of elements
     * @param recv    at the root, where block r lands at {@code displs[r]}
     * @param counts  at the root, each rank's count
     * @param displs  at the root, each rank's displacement in {@code recv}
     * @param root    the gathering rank
     * @return the schedule, not yet started
     */
    public static Schedule linearGatherv(final CollectiveChannel channel, final Object send, final int offset,
        final int count, final Object recv, final int[] counts, final int[] displs, final int root)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Schedule schedule = new Schedule(channel);
        if (rank != root)
        {
            return schedule.step(() -> new Request[] {channel.isend(send, offset, count, root, GATHER_TAG)}, null);
        }
        return schedule.then(() -> System.arraycopy(send, offset, recv, displs[root], counts[root])).step(() ->
        {
            final Request[] pending = new Request[size - 1];
            for (int r = 0, i = 0; r < size; r++)
            {
                if (r != root)
                {
                    pending[i++] = channel.irecv(recv, displs[r], counts[r], r, GATHER_TAG);
                }
            }
            return pending;
        }, null);
    }

    /**
     * Linear scatter, as a schedule: the root sends every rank its block, all sends posted at once.
     *
     * @param channel the collective channel
     * @param send    at the root, the blocks; block r at {@code displs[r]}
     * @param counts  at the root, each rank's count
     * @param displs  at the root, each rank's displacement in {@code send}
     * @param recv    where this rank's block lands
     * @param offset  its first element
     * @param count   its number of elements
     * @param root    the scattering rank
     * @return the schedule, not yet started
     */
    public static Schedule linearScatterv(final CollectiveChannel channel, final Object send, final int[] counts,
        final int[] displs, final Object recv, final int offset, final int count, final int root)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Schedule schedule = new Schedule(channel);
        if (rank != root)
        {
            return schedule.step(() -> new Request[] {channel.irecv(recv, offset, count, root, SCATTER_TAG)}, null);
        }
        return schedule.then(() -> System.arraycopy(send, displs[root], recv, offset, counts[root])).step(() ->
        {
            final Request[] pending = new Request[size - 1];
            for (int r = 0, i = 0; r < size; r++)
            {
                if (r != root)
                {
                    pending[i++] = channel.isend(send, displs[r], counts[r], r, SCATTER_TAG);
                }
            }
            return pending;
        }, null);
    }

    /**
     * Ring allgather, as a schedule: in step s, each rank passes the block it received in step s - 1 to its right
     * neighbour.
     *
     * @param channel the collective channel
     * @param send    this rank's block
     * @param offset  its first element
     * @param count   its number of elements
     * @param recv    where block r lands at {@code displs[r]}, on every rank
     * @param counts  each rank's count
     * @param displs  each rank's displacement in {@code recv}
     * @return the schedule, not yet started
     */
    public static Schedule ringAllgatherv(final CollectiveChannel channel, final Object send, final int offset,
        final int count, final Object recv, final int[] counts, final int[] displs)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Schedule schedule = new Schedule(channel);
        if (send != recv || offset != displs[rank])
        {
            schedule.then(() -> System.arraycopy(send, offset, recv, displs[rank], count));
        }
        final int right = (rank + 1) % size;
        final int left = (rank - 1 + size) % size;
        for (int step = 0; step < size - 1; step++)
        {
            final int outgoing = (rank - step + size) % size;
            final int incoming = (rank - step - 1 + size) % size;
            schedule.step(() -> new Request[] {
                channel.irecv(recv, displs[incoming], counts[incoming], left, ALLGATHER_TAG),
                channel.isend(recv, displs[outgoing], counts[outgoing], right, ALLGATHER_TAG)}, null);
        }
        return schedule;
    }

    /**
     * Pairwise-exchange all-to-all, as a schedule: in step i, each rank sends its block for rank + i and receives
     * the block from rank - i, so every step is a permutation and no rank is flooded.
     *
     * @param channel    the collective channel
     * @param send       this rank's blocks, the one for rank r at {@code sendDispls[r]}
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the block from rank r lands at {@code recvDispls[r]}
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     * @return the schedule, not yet started
     */
    public static Schedule pairwiseAlltoallv(final CollectiveChannel channel, final Object send,
        final int[] sendCounts, final int[] sendDispls, final Object recv, final int[] recvCounts,
        final int[] recvDispls)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Schedule schedule = new Schedule(channel);
        schedule.then(() -> System.arraycopy(send, sendDispls[rank], recv, recvDispls[rank], sendCounts[rank]));
        for (int step = 1; step < size; step++)
        {
            final int to = (rank + step) % size;
            final int from = (rank - step + size) % size;
            schedule.step(() -> new Request[] {
                channel.irecv(recv, recvDispls[from], recvCounts[from], from, ALLTOALL_TAG),
                channel.isend(send, sendDispls[to], sendCounts[to], to, ALLTOALL_TAG)}, null);
        }
        return schedule;
    }
}
