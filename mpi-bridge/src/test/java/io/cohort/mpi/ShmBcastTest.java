package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;

import static io.cohort.mpi.BytePattern.check;
import static io.cohort.mpi.BytePattern.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bcast contract with every blocking call forced through shared memory (nonblocking calls keep to messages),
 * and the single-copy path: a large bcast whose root's buffer is {@code Cohort.allocate} memory, which the other
 * ranks copy straight out of.
 */
class ShmBcastTest extends BcastAlgorithmContract
{
    /** One slot's chunk and more: 5,000 bytes fit the first slot, 600,003 span three. */
    private static final int[] LARGE_BYTES = {5_000, 600_003};

    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.SHM);
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void aRootsSharedSegmentAtAnOffsetReachesByteArraysAndSegmentsAlike(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            for (final int bytes : LARGE_BYTES)
            {
                for (final int root : new int[] {0, size - 1})
                {
                    final String what = bytes + " bytes from root " + root + " of " + size + " ranks";
                    if (world.rank() == root)
                    {
                        // A slice 24 bytes into its region, so the descriptor's offset is not the region's start.
                        final MemorySegment region = cohort.allocate(bytes + 64L);
                        final MemorySegment data = region.asSlice(24, bytes);
                        fill(data, root + bytes);
                        world.bcast(data, root);
                    }
                    else if (world.rank() % 2 == 0)
                    {
                        final byte[] got = new byte[bytes + 5];
                        got[bytes + 3] = 17;
                        world.bcast(got, 3, bytes, root);
                        check(MemorySegment.ofArray(got).asSlice(3, bytes), root + bytes, what + " into a byte[]");
                        assertEquals(17, got[bytes + 3], "the byte after the range, " + what);
                    }
                    else
                    {
                        final MemorySegment got = cohort.allocate(bytes);
                        world.bcast(got, root);
                        check(got, root + bytes, what + " into shared memory");
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 4})
    void theRootMayOverwriteItsSharedBufferAsSoonAsTheBroadcastReturns(final int size)
    {
        // The other ranks copy out of the root's own buffer: the root must not return before every one of them
        // has, or its next write would reach a rank still copying. Readers start each call late to widen the gap.
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int bytes = 300_000;
            final MemorySegment buffer = cohort.allocate(bytes);
            for (int call = 0; call < 30; call++)
            {
                if (world.rank() == 0)
                {
                    fill(buffer, call);
                    world.bcast(buffer, 0);
                    buffer.fill((byte) -1);
                }
                else
                {
                    if (call % 3 == world.rank() % 3)
                    {
                        sleepBriefly();
                    }
                    world.bcast(buffer, 0);
                    check(buffer, call, "call " + call + " of " + bytes + " bytes");
                }
            }
        });
    }

    private static void sleepBriefly()
    {
        try
        {
            Thread.sleep(2);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
