package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.cohort.mpi.BytePattern.check;
import static io.cohort.mpi.BytePattern.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The allgather contract with every blocking call forced through shared memory (nonblocking ones keep to messages),
 * and the single-copy path: blocks above 4 KiB in {@code Cohort.allocate} memory, which peers copy straight out of.
 */
class ShmAllgatherTest extends AllgatherAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.SHM);
    }

    /**
     * Blocks of up to 4 KiB go through the small slots' ring, which small allreduces share, and wait on each slot's
     * flag; larger ones go through the big slots. Mixed, with ranks out of step, a fast rank must never overwrite a
     * small slot a slow one has yet to read, over several turns of the ring.
     */
    @Test
    void smallAllgathersMixedWithLargeOnesAndSmallAllreducesOverManyTurnsOfTheSlotRingStayExact()
    {
        // 512 longs fill a small slot exactly; 513 take a big slot.
        final int[] counts = {1, 9, 512, 513, 3};
        final int size = 3;
        OutOfStepCalls.run(size, 400, tuning(), (world, call) ->
        {
            final int rank = world.rank();
            final int count = counts[call % counts.length];
            final long[] mine = new long[count];
            for (int i = 0; i < count; i++)
            {
                mine[i] = call * 1_000_000L + rank * 10_000L + i;
            }
            final long[] all = new long[size * count];
            world.allgather(mine, 0, count, all, 0);
            for (int r = 0; r < size; r++)
            {
                for (int i = 0; i < count; i++)
                {
                    assertEquals(call * 1_000_000L + r * 10_000L + i, all[r * count + i],
                        "call " + call + ", rank " + r + "'s element " + i + " on rank " + rank);
                }
            }
        });
    }

    /** One block above a small slot, and one that spans three big slots. */
    private static final int[] LARGE_BYTES = {5_000, 600_003};

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void blocksInSharedSegmentsAtOffsetsReachEveryRankInPlaceOrNot(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            for (final int bytes : LARGE_BYTES)
            {
                // Slices some bytes into their regions, so a descriptor's offset is not its region's start.
                final MemorySegment send = cohort.allocate(bytes + 64L).asSlice(24, bytes);
                fill(send, rank + bytes);
                final MemorySegment all = cohort.allocate((long) size * bytes + 64).asSlice(8, (long) size * bytes);
                world.allgather(send, all);
                checkBlocks(all, size, bytes, bytes + " bytes from each of " + size + " ranks");
                final MemorySegment inPlace = cohort.allocate((long) size * bytes);
                fill(inPlace.asSlice((long) rank * bytes, bytes), rank + bytes);
                world.allgather(inPlace.asSlice((long) rank * bytes, bytes), inPlace);
                checkBlocks(inPlace, size, bytes, bytes + " bytes from each of " + size + " ranks, in place");
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 4})
    void aRankMayOverwriteItsSharedBlockAsSoonAsTheAllgatherReturns(final int size)
    {
        // Peers copy out of a rank's own block: it must not return before all of them have, or its next write
        // would reach a peer still copying.
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final int bytes = 300_000;
            final MemorySegment send = cohort.allocate(bytes);
            final MemorySegment all = cohort.allocate((long) size * bytes);
            for (int call = 0; call < 30; call++)
            {
                fill(send, call * 8 + rank);
                world.allgather(send, all);
                send.fill((byte) -1);
                for (int r = 0; r < size; r++)
                {
                    check(all.asSlice((long) r * bytes, bytes), call * 8 + r, "call " + call + ", rank " + r
                        + "'s block on rank " + rank);
                }
            }
        });
    }

    @Test
    void oneRankWithItsBlockOutsideSharedMemoryMakesEveryRankGoThroughTheSlots()
    {
        ThreadedJob.run(3, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final int bytes = 70_000;
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment send = rank == 1 ? arena.allocate(bytes) : cohort.allocate(bytes);
                fill(send, rank + bytes);
                final MemorySegment all = cohort.allocate(3L * bytes);
                world.allgather(send, all);
                checkBlocks(all, 3, bytes, "rank 1's block in native memory");
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void allgathervOfSharedSegmentsPutsBlocksOfEverySizeAtTheirPlacesAndNothingBetween(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            // Blocks of different sizes, rank 1's empty, placed in reverse rank order with gaps between them.
            final int[] counts = new int[size];
            final int[] displs = new int[size];
            int end = 0;
            for (int r = size - 1; r >= 0; r--)
            {
                counts[r] = r == 1 ? 0 : 3_000 * (r + 1) + 17;
                displs[r] = end + 8;
                end = displs[r] + counts[r];
            }
            final MemorySegment send = cohort.allocate(counts[rank] + 16L).asSlice(16, counts[rank]);
            fill(send, rank + 100);
            final MemorySegment all = cohort.allocate(end + 8L);
            all.fill((byte) 5);
            world.allgatherv(send, all, counts, displs);
            int gap = 0;
            for (int r = size - 1; r >= 0; r--)
            {
                check(all.asSlice(displs[r], counts[r]), r + 100, "allgatherv, rank " + r + "'s block on " + rank);
                for (int i = gap; i < displs[r]; i++)
                {
                    assertEquals(5, all.get(ValueLayout.JAVA_BYTE, i), "gap byte " + i);
                }
                gap = displs[r] + counts[r];
            }
        });
    }

    @Test
    void allgathervWithOneRanksBlockOutsideSharedMemoryGoesByMessagesOnEveryRank()
    {
        ThreadedJob.run(3, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final int[] counts = {5_000, 70_000, 300};
            final int[] displs = {70_300, 0, 70_000};
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment send = rank == 1 ? arena.allocate(counts[rank]) : cohort.allocate(counts[rank]);
                fill(send, rank + 100);
                final MemorySegment all = cohort.allocate(75_300);
                world.allgatherv(send, all, counts, displs);
                for (int r = 0; r < 3; r++)
                {
                    check(all.asSlice(displs[r], counts[r]), r + 100, "rank 1's block in native memory, rank " + r
                        + "'s block on " + rank);
                }
            }
        });
    }

    private static void checkBlocks(final MemorySegment all, final int size, final int bytes, final String what)
    {
        for (int r = 0; r < size; r++)
        {
            check(all.asSlice((long) r * bytes, bytes), r + bytes, what + ", rank " + r + "'s block");
        }
    }
}
