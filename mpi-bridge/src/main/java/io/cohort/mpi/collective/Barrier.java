package io.cohort.mpi.collective;

import io.cohort.mpi.Request;

/**
 * The dissemination barrier (D. Hensgen, R. Finkel and U. Manber, "Two algorithms for barrier synchronization",
 * IJPP 17(1), 1988): in round k every rank signals rank + 2^k and waits for rank - 2^k; after ceil(log2 p) rounds
 * every rank has heard, indirectly, from every other. Works for any number of ranks.
 */
public final class Barrier
{
    /** The tag of barrier messages on the collective channel. */
    public static final int TAG = 1;

    private static final byte[] EMPTY = new byte[0];

    private Barrier()
    {
    }

    /**
     * The barrier as a schedule, not yet started.
     *
     * @param channel the communicator's collective channel
     * @return the schedule
     */
    public static Schedule dissemination(final CollectiveChannel channel)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Schedule schedule = new Schedule(channel);
        for (int distance = 1; distance < size; distance <<= 1)
        {
            final int to = (rank + distance) % size;
            final int from = (rank - distance + size) % size;
            schedule.step(() -> new Request[] {channel.irecv(EMPTY, 0, 0, from, TAG),
                channel.isend(EMPTY, 0, 0, to, TAG)}, null);
        }
        return schedule;
    }

    /**
     * The dissemination barrier run at once, blocking: the same rounds as {@link #dissemination}, each a blocking
     * exchange, with no schedule and no allocation (the fast path of the blocking barrier).
     *
     * @param channel the communicator's collective channel
     */
    public static void disseminationNow(final CollectiveChannel channel)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        for (int distance = 1; distance < size; distance <<= 1)
        {
            channel.sendrecv(EMPTY, 0, 0, (rank + distance) % size, EMPTY, 0, 0, (rank - distance + size) % size,
                TAG);
        }
    }
}
