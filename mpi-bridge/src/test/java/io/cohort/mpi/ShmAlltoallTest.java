package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.cohort.mpi.BytePattern.check;
import static io.cohort.mpi.BytePattern.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The all-to-all contract with every blocking call forced through shared memory (nonblocking ones use messages), and
 * the single-copy path: blocks above 4 KiB in {@code Cohort.allocate} memory, which peers copy straight out of.
 */
class ShmAlltoallTest extends AlltoallAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.SHM);
    }

    /**
     * Calls whose blocks fit one small slot together go through the small slots' ring, which small allreduces
     * share, and wait on each slot's flag; larger ones take one big slot or rounds across all of them. Mixed, with
     * ranks out of step, a fast rank must never overwrite a slot a slow one has yet to read, over several turns of
     * the ring.
     */
    @Test
    void smallAlltoallsMixedWithLargeOnesAndSmallAllreducesOverManyTurnsOfTheSlotRingStayExact()
    {
        // On 3 ranks 170 longs per pair fill a small slot (4,080 bytes), 171 take a big slot, 11,000 all of them.
        final int[] counts = {1, 170, 171, 2, 11_000, 5};
        final int size = 3;
        OutOfStepCalls.run(size, 300, tuning(), (world, call) ->
        {
            final int rank = world.rank();
            final int count = counts[call % counts.length];
            final long[] out = new long[size * count];
            for (int q = 0; q < size; q++)
            {
                for (int i = 0; i < count; i++)
                {
                    out[q * count + i] = value(call, rank, q, i);
                }
            }
            final long[] in = new long[size * count];
            world.alltoall(out, 0, in, 0, count);
            for (int r = 0; r < size; r++)
            {
                for (int i = 0; i < count; i++)
                {
                    assertEquals(value(call, r, rank, i), in[r * count + i],
                        "call " + call + ", element " + i + " from rank " + r + " on rank " + rank);
                }
            }
        });
    }

    /** One block above a small slot, and one that spans three big slots. */
    private static final int[] LARGE_BYTES = {5_000, 600_003};

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void blocksInSharedSegmentsAtOffsetsReachTheirPlaceAtEveryRank(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            for (final int bytes : LARGE_BYTES)
            {
                // Slices some bytes into their regions, so a descriptor's offset is not its region's start.
                final MemorySegment send = cohort.allocate((long) size * bytes + 64).asSlice(24, (long) size * bytes);
                for (int q = 0; q < size; q++)
                {
                    fill(send.asSlice((long) q * bytes, bytes), seed(rank, q, bytes));
                }
                final MemorySegment in = cohort.allocate((long) size * bytes + 64).asSlice(8, (long) size * bytes);
                world.alltoall(send, in);
                for (int r = 0; r < size; r++)
                {
                    check(in.asSlice((long) r * bytes, bytes), seed(r, rank, bytes),
                        bytes + " bytes from rank " + r + " of " + size + " on rank " + rank);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 4})
    void aRankMayOverwriteItsSharedBlocksAsSoonAsTheAlltoallReturns(final int size)
    {
        // Peers copy out of a rank's own send segment: it must not return before all of them have, or its next
        // write would reach a peer still copying.
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final int bytes = 300_000;
            final MemorySegment send = cohort.allocate((long) size * bytes);
            final MemorySegment in = cohort.allocate((long) size * bytes);
            for (int call = 0; call < 30; call++)
            {
                for (int q = 0; q < size; q++)
                {
                    fill(send.asSlice((long) q * bytes, bytes), seed(rank, q, call));
                }
                world.alltoall(send, in);
                send.fill((byte) -1);
                for (int r = 0; r < size; r++)
                {
                    check(in.asSlice((long) r * bytes, bytes), seed(r, rank, call),
                        "call " + call + ", the block from rank " + r + " on rank " + rank);
                }
            }
        });
    }

    @Test
    void oneRankWithItsBlocksOutsideSharedMemoryMakesEveryRankGoThroughTheSlots()
    {
        ThreadedJob.run(3, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final int bytes = 70_000;
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment send = rank == 1 ? arena.allocate(3L * bytes) : cohort.allocate(3L * bytes);
                for (int q = 0; q < 3; q++)
                {
                    fill(send.asSlice((long) q * bytes, bytes), seed(rank, q, bytes));
                }
                final MemorySegment in = cohort.allocate(3L * bytes);
                world.alltoall(send, in);
                for (int r = 0; r < 3; r++)
                {
                    check(in.asSlice((long) r * bytes, bytes), seed(r, rank, bytes),
                        "rank 1's blocks in native memory: the block from rank " + r + " on rank " + rank);
                }
            }
        });
    }

    /** The pattern of the block from rank {@code from} to rank {@code to}. */
    private static int seed(final int from, final int to, final int call)
    {
        return call * 7 + from * 3 + to;
    }

    private static long value(final int call, final int from, final int to, final int i)
    {
        return call * 100_000_000L + from * 10_000_000L + to * 1_000_000L + i;
    }
}
