package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.collective.TunedCollective;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking barrier and small-message allreduce, allgather (recursive doubling) and all-to-all (pairwise)
 * allocate nothing per call once warmed up: they run as direct
 * exchanges on pooled operations with reused scratch space, not as schedules. Measured with the JVM's per-thread
 * allocation counter (not a timing).
 */
class CollectiveAllocationTest
{
    private static final int WARM_UP = 2_000;
    private static final int MEASURED = 5_000;

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
            .getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3})
    void blockingBarrierAndSmallAllreduceAllgatherAndAlltoallAllocateNothingPerCall(final int size)
    {
        final long[] allocated = new long[size];
        // Allgather and all-to-all by messages (they would go through shared memory here, as the ranks share a host).
        final CollectiveTuning messages = CollectiveTuning.defaults().with(CollectiveTuning.ALLGATHER_SHM_BYTES, "0")
            .with(CollectiveTuning.ALLTOALL_SHM_BYTES, "0");
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(messages);
            final double[] mine = new double[8];
            final double[] sum = new double[8];
            final long[] counts = new long[2];
            final double[] all = new double[8 * size];
            final double[] exchanged = new double[8 * size];
            long before = 0;
            for (int i = 0; i < WARM_UP + MEASURED; i++)
            {
                if (i == WARM_UP)
                {
                    before = allocatedBytes();
                }
                world.allreduce(mine, 0, sum, 0, 8, ReduceOp.SUM);
                world.allreduce(counts, 0, counts, 0, 2, ReduceOp.MAX);
                world.barrier();
                if (Integer.bitCount(size) == 1)
                {
                    // Bruck's allgather (sizes that are not a power of two) runs as a schedule, with scratch space.
                    world.allgather(mine, 0, 8, all, 0);
                }
                world.alltoall(all, 0, exchanged, 0, 8);
            }
            allocated[world.rank()] = allocatedBytes() - before;
        });
        for (int rank = 0; rank < size; rank++)
        {
            assertTrue(allocated[rank] < MEASURED, "rank " + rank + " allocated " + allocated[rank] + " bytes in "
                + MEASURED + " rounds of two allreduces, a barrier, an allgather and an all-to-all");
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3})
    void sharedMemoryBarrierAllreduceBcastAllgatherAndAlltoallAllocateNothingPerCall(final int size)
    {
        final long[] allocated = new long[size];
        final CollectiveTuning shm = CollectiveTuning.defaults()
            .forcing(TunedCollective.BARRIER, CollectiveAlgorithm.SHM)
            .forcing(TunedCollective.ALLREDUCE, CollectiveAlgorithm.SHM)
            .forcing(TunedCollective.BCAST, CollectiveAlgorithm.SHM)
            .forcing(TunedCollective.ALLGATHER, CollectiveAlgorithm.SHM)
            .forcing(TunedCollective.ALLTOALL, CollectiveAlgorithm.SHM);
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(shm);
            final double[] mine = new double[8];
            final double[] sum = new double[8];
            final double[] all = new double[8 * size];
            final double[] exchanged = new double[8 * size];
            // Larger than one slot (256 KiB): the sliced allreduce and the bcast, in two chunks, copied by memcpy.
            final long[] large = new long[40_000];
            final long[] largeSum = new long[40_000];
            // Shared memory at every root: the single-copy bcast, which maps each root's region once; and the
            // allreduce of segments, small (through a kept array) and large (in one copy).
            final MemorySegment shared = cohort.allocate(20_000);
            final MemorySegment sharedSum = cohort.allocate(20_000);
            final MemorySegment smallSum = sharedSum.asSlice(0, 64);
            // The single-copy allgather and alltoall, which map each peer's region once (above 64 KiB, so that
            // they are single-copy on 2 cores too).
            final MemorySegment sharedBlock = cohort.allocate(70_000);
            final MemorySegment sharedBlocks = cohort.allocate(70_000L * size);
            final MemorySegment sharedExchanged = cohort.allocate(70_000L * size);
            // The large calls come every 50th round only: warm them up apart, so that they are compiled too.
            for (int i = 0; i < 1_000; i++)
            {
                world.allreduce(large, 0, largeSum, 0, large.length, ReduceOp.MAX);
                world.bcast(large, 0, large.length, i % size);
                world.bcast(shared, i % size);
                world.allreduce(shared, sharedSum, ValueLayout.JAVA_DOUBLE, ReduceOp.SUM);
                world.allreduce(shared.asSlice(0, 64), smallSum, ValueLayout.JAVA_DOUBLE, ReduceOp.SUM);
                world.allgather(sharedBlock, sharedBlocks);
                world.alltoall(sharedBlocks, sharedExchanged);
            }
            final MemorySegment small = shared.asSlice(0, 64);
            // Two measured windows, the lower counts: a recompilation that lands in one window (another test's
            // classes loaded into this JVM can deoptimize a method) is the JIT's doing, not the calls'.
            long fewest = Long.MAX_VALUE;
            long before = 0;
            for (int i = 0; i < WARM_UP + 2 * MEASURED; i++)
            {
                if (i == WARM_UP || i == WARM_UP + MEASURED)
                {
                    if (i > WARM_UP)
                    {
                        fewest = Math.min(fewest, allocatedBytes() - before);
                    }
                    before = allocatedBytes();
                }
                world.allreduce(mine, 0, sum, 0, 8, ReduceOp.SUM);
                world.barrier();
                world.bcast(sum, 0, 8, i % size);
                world.allreduce(small, smallSum, ValueLayout.JAVA_DOUBLE, ReduceOp.SUM);
                world.allgather(mine, 0, 8, all, 0);
                world.alltoall(all, 0, exchanged, 0, 8);
                if (i % 50 == 0)
                {
                    world.allreduce(large, 0, largeSum, 0, large.length, ReduceOp.MAX);
                    world.bcast(large, 0, large.length, i % size);
                    world.bcast(shared, i % size);
                    world.allreduce(shared, sharedSum, ValueLayout.JAVA_DOUBLE, ReduceOp.SUM);
                    world.allgather(sharedBlock, sharedBlocks);
                    world.alltoall(sharedBlocks, sharedExchanged);
                }
            }
            allocated[world.rank()] = Math.min(fewest, allocatedBytes() - before);
        });
        for (int rank = 0; rank < size; rank++)
        {
            assertTrue(allocated[rank] < MEASURED, "rank " + rank + " allocated " + allocated[rank] + " bytes in "
                + MEASURED + " rounds of a shared-memory allreduce, barrier, bcast, allgather and all-to-all");
        }
    }
}
