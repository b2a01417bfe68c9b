package io.cohort.mpi.collective;

import io.cohort.mpi.Request;

/**
 * Gather, scatter, allgather and all-to-all, each in its variable-count form (the fixed-count forms pass equal
 * counts). Algorithms after Thakur, Rabenseifner and Gropp, "Optimization of Collective Communication Operations
 * in MPICH" (IJHPCA 19(1), 2005): linear gather and scatter at the root (every message posted at once), the ring
 * algorithm for allgather (p - 1 steps, each passing one block to the right neighbour), and pairwise exchange for
 * all-to-all (in step i, send to rank + i and receive from rank - i). Counts and displacements are in elements.
 * The fixed-count allgather and all-to-all also have the small-message algorithms of Bruck et al. ("Efficient
 * algorithms for all-to-all communications in multiport message-passing systems", IEEE TPDS 8(11), 1997) and
 * recursive doubling, chosen by {@link CollectiveTuning#allgather} and {@link CollectiveTuning#alltoall}.
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
        return schedule.then(() -> Blocks.copy(send, offset, recv, displs[root], counts[root])).step(() ->
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
        return schedule.then(() -> Blocks.copy(send, displs[root], recv, offset, counts[root])).step(() ->
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
            schedule.then(() -> Blocks.copy(send, offset, recv, displs[rank], count));
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
        schedule.then(() -> Blocks.copy(send, sendDispls[rank], recv, recvDispls[rank], sendCounts[rank]));
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

    /**
     * Allgather of {@code count} elements per rank (rank r's at {@code recvOffset + r * count}) by the algorithm
     * {@code tuning} chooses for this call, as a schedule not yet started.
     *
     * @param tuning     the selection
     * @param channel    the collective channel
     * @param send       this rank's block (an array or a segment)
     * @param sendOffset its first element (byte for a segment)
     * @param count      elements per rank (bytes for a segment)
     * @param recv       room for {@code size * count} elements, of the same kind
     * @param recvOffset its first element
     * @return the schedule, not yet started
     */
    public static Schedule allgather(final CollectiveTuning tuning, final CollectiveChannel channel,
        final Object send, final int sendOffset, final int count, final Object recv, final int recvOffset)
    {
        final int size = channel.size();
        return switch (tuning.allgather((long) size * count * Blocks.elementBytes(send), size))
        {
            case RECURSIVE_DOUBLING -> recursiveDoublingAllgather(channel, send, sendOffset, count, recv, recvOffset);
            case BRUCK -> bruckAllgather(channel, send, sendOffset, count, recv, recvOffset);
            default ->
            {
                final int[] counts = new int[size];
                final int[] displs = new int[size];
                for (int r = 0; r < size; r++)
                {
                    counts[r] = count;
                    displs[r] = recvOffset + r * count;
                }
                yield ringAllgatherv(channel, send, sendOffset, count, recv, counts, displs);
            }
        };
    }

    /**
     * Recursive-doubling allgather, for a power-of-two number of ranks (Thakur, Rabenseifner and Gropp, IJHPCA
     * 2005: MPICH's choice for medium messages on powers of two): in round k each rank exchanges the 2^k blocks it
     * has gathered with rank XOR 2^k, straight into their places in {@code recv}; log2 p rounds.
     *
     * @param channel    the collective channel
     * @param send       this rank's block (an array or a segment)
     * @param sendOffset its first element (byte for a segment)
     * @param count      elements per rank
     * @param recv       room for {@code size * count} elements
     * @param recvOffset its first element
     * @return the schedule, not yet started
     */
    public static Schedule recursiveDoublingAllgather(final CollectiveChannel channel, final Object send,
        final int sendOffset, final int count, final Object recv, final int recvOffset)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        if (Integer.bitCount(size) != 1)
        {
            throw new IllegalArgumentException("recursive-doubling allgather needs a power-of-two size, not " + size);
        }
        final Schedule schedule = new Schedule(channel);
        if (send != recv || sendOffset != recvOffset + rank * count)
        {
            schedule.then(() -> Blocks.copy(send, sendOffset, recv, recvOffset + rank * count, count));
        }
        for (int mask = 1; mask < size; mask <<= 1)
        {
            final int partner = rank ^ mask;
            final int mine = recvOffset + (rank & ~(mask - 1)) * count;
            final int theirs = recvOffset + (partner & ~(mask - 1)) * count;
            final int length = mask * count;
            schedule.step(() -> new Request[] {channel.irecv(recv, theirs, length, partner, ALLGATHER_TAG),
                channel.isend(recv, mine, length, partner, ALLGATHER_TAG)}, null);
        }
        return schedule;
    }

    /**
     * Bruck's allgather (Bruck et al., IEEE TPDS 1997; MPICH's choice for short messages on sizes that are not a
     * power of two): blocks gather in a scratch buffer in the order of this rank's successors; in round k each rank
     * sends the first min(2^k, p - 2^k) blocks to rank - 2^k and appends those of rank + 2^k, so ceil(log2 p) rounds
     * for any p; a final rotation puts every block in its place.
     *
     * @param channel    the collective channel
     * @param send       this rank's block (an array or a segment)
     * @param sendOffset its first element (byte for a segment)
     * @param count      elements per rank
     * @param recv       room for {@code size * count} elements
     * @param recvOffset its first element
     * @return the schedule, not yet started
     */
    public static Schedule bruckAllgather(final CollectiveChannel channel, final Object send, final int sendOffset,
        final int count, final Object recv, final int recvOffset)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Object gathered = Blocks.scratch(recv, size * count);
        final Schedule schedule = new Schedule(channel);
        schedule.then(() -> Blocks.copy(send, sendOffset, gathered, 0, count));
        for (int distance = 1; distance < size; distance <<= 1)
        {
            final int to = (rank - distance + size) % size;
            final int from = (rank + distance) % size;
            final int length = Math.min(distance, size - distance) * count;
            final int at = distance * count;
            schedule.step(() -> new Request[] {channel.irecv(gathered, at, length, from, ALLGATHER_TAG),
                channel.isend(gathered, 0, length, to, ALLGATHER_TAG)}, null);
        }
        // Block i of the scratch buffer is rank (rank + i) % size's.
        return schedule.then(() ->
        {
            Blocks.copy(gathered, 0, recv, recvOffset + rank * count, (size - rank) * count);
            Blocks.copy(gathered, (size - rank) * count, recv, recvOffset, rank * count);
        });
    }

    /**
     * All-to-all of {@code count} elements per pair of ranks (the block for rank r at {@code sendOffset + r * count},
     * rank r's at {@code recvOffset + r * count}) by the algorithm {@code tuning} chooses for this call, as a
     * schedule not yet started.
     *
     * @param tuning     the selection
     * @param channel    the collective channel
     * @param send       {@code size * count} elements (an array or a segment)
     * @param sendOffset its first element
     * @param recv       room for {@code size * count} elements, of the same kind; not overlapping {@code send}
     * @param recvOffset its first element
     * @param count      elements per pair
     * @return the schedule, not yet started
     */
    public static Schedule alltoall(final CollectiveTuning tuning, final CollectiveChannel channel, final Object send,
        final int sendOffset, final Object recv, final int recvOffset, final int count)
    {
        final int size = channel.size();
        if (tuning.alltoall((long) count * Blocks.elementBytes(send), size) == CollectiveAlgorithm.BRUCK)
        {
            return bruckAlltoall(channel, send, sendOffset, recv, recvOffset, count);
        }
        final int[] counts = new int[size];
        final int[] sendDispls = new int[size];
        final int[] recvDispls = new int[size];
        for (int r = 0; r < size; r++)
        {
            counts[r] = count;
            sendDispls[r] = sendOffset + r * count;
            recvDispls[r] = recvOffset + r * count;
        }
        return pairwiseAlltoallv(channel, send, counts, sendDispls, recv, counts, recvDispls);
    }

    /**
     * Bruck's all-to-all (Bruck et al., IEEE TPDS 1997; MPICH's choice for short messages, Thakur, Rabenseifner and
     * Gropp, IJHPCA 2005): the blocks are rotated so that block i is bound for rank + i; in round k every block
     * whose index has bit k set travels 2^k ranks onward, packed into one message with the others of that round;
     * a last rotation puts every block in its place. ceil(log2 p) messages per rank instead of p - 1, at the cost
     * of moving each block up to log2 p times: for short blocks and many ranks.
     *
     * @param channel    the collective channel
     * @param send       {@code size * count} elements (an array or a segment)
     * @param sendOffset its first element
     * @param recv       room for {@code size * count} elements
     * @param recvOffset its first element
     * @param count      elements per pair
     * @return the schedule, not yet started
     */
    public static Schedule bruckAlltoall(final CollectiveChannel channel, final Object send, final int sendOffset,
        final Object recv, final int recvOffset, final int count)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        final Object blocks = Blocks.scratch(recv, size * count);
        final Object outgoing = Blocks.scratch(recv, (size / 2 + 1) * count);
        final Object incoming = Blocks.scratch(recv, (size / 2 + 1) * count);
        final Schedule schedule = new Schedule(channel);
        // Block i of the working buffer is this rank's block for rank (rank + i) % size.
        schedule.then(() ->
        {
            Blocks.copy(send, sendOffset + rank * count, blocks, 0, (size - rank) * count);
            Blocks.copy(send, sendOffset, blocks, (size - rank) * count, rank * count);
        });
        for (int bit = 1; bit < size; bit <<= 1)
        {
            final int to = (rank + bit) % size;
            final int from = (rank - bit + size) % size;
            final int mask = bit;
            int moving = 0;
            for (int i = 1; i < size; i++)
            {
                moving += (i & mask) != 0 ? 1 : 0;
            }
            final int length = moving * count;
            schedule.step(() ->
            {
                for (int i = 1, packed = 0; i < size; i++)
                {
                    if ((i & mask) != 0)
                    {
                        Blocks.copy(blocks, i * count, outgoing, packed++ * count, count);
                    }
                }
                return new Request[] {channel.irecv(incoming, 0, length, from, ALLTOALL_TAG),
                    channel.isend(outgoing, 0, length, to, ALLTOALL_TAG)};
            }, () ->
            {
                for (int i = 1, unpacked = 0; i < size; i++)
                {
                    if ((i & mask) != 0)
                    {
                        Blocks.copy(incoming, unpacked++ * count, blocks, i * count, count);
                    }
                }
            });
        }
        // Now block i holds what rank (rank - i) % size sent this rank.
        return schedule.then(() ->
        {
            for (int i = 0; i < size; i++)
            {
                Blocks.copy(blocks, i * count, recv, recvOffset + ((rank - i + size) % size) * count, count);
            }
        });
    }

    /**
     * Blocking allgather of equal blocks: recursive doubling runs at once as blocking exchanges (no schedule, no
     * allocation); the other algorithms run as their schedules, awaited.
     *
     * @param tuning     the selection
     * @param channel    the collective channel
     * @param send       this rank's block (an array or a segment)
     * @param sendOffset its first element (byte for a segment)
     * @param count      elements per rank (bytes for a segment)
     * @param recv       room for {@code size * count} elements, of the same kind
     * @param recvOffset its first element
     */
    public static void allgatherNow(final CollectiveTuning tuning, final CollectiveChannel channel,
        final Object send, final int sendOffset, final int count, final Object recv, final int recvOffset)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        if (tuning.allgather((long) size * count * Blocks.elementBytes(send), size)
            != CollectiveAlgorithm.RECURSIVE_DOUBLING)
        {
            allgather(tuning, channel, send, sendOffset, count, recv, recvOffset).start().await();
            return;
        }
        if (send != recv || sendOffset != recvOffset + rank * count)
        {
            Blocks.copy(send, sendOffset, recv, recvOffset + rank * count, count);
        }
        for (int mask = 1; mask < size; mask <<= 1)
        {
            final int partner = rank ^ mask;
            channel.sendrecv(recv, recvOffset + (rank & ~(mask - 1)) * count, mask * count, partner,
                recv, recvOffset + (partner & ~(mask - 1)) * count, mask * count, partner, ALLGATHER_TAG);
        }
    }

    /**
     * Blocking all-to-all of equal blocks: pairwise exchange runs at once as blocking exchanges (no schedule, no
     * allocation); Bruck's algorithm runs as its schedule, awaited.
     *
     * @param tuning     the selection
     * @param channel    the collective channel
     * @param send       {@code size * count} elements (an array or a segment)
     * @param sendOffset its first element
     * @param recv       room for {@code size * count} elements, of the same kind; not overlapping {@code send}
     * @param recvOffset its first element
     * @param count      elements per pair
     */
    public static void alltoallNow(final CollectiveTuning tuning, final CollectiveChannel channel, final Object send,
        final int sendOffset, final Object recv, final int recvOffset, final int count)
    {
        final int size = channel.size();
        final int rank = channel.rank();
        if (tuning.alltoall((long) count * Blocks.elementBytes(send), size) != CollectiveAlgorithm.PAIRWISE)
        {
            alltoall(tuning, channel, send, sendOffset, recv, recvOffset, count).start().await();
            return;
        }
        Blocks.copy(send, sendOffset + rank * count, recv, recvOffset + rank * count, count);
        for (int step = 1; step < size; step++)
        {
            final int to = (rank + step) % size;
            final int from = (rank - step + size) % size;
            channel.sendrecv(send, sendOffset + to * count, count, to, recv, recvOffset + from * count, count, from,
                ALLTOALL_TAG);
        }
    }
}
