package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The allgather contract with every blocking call forced through shared memory (nonblocking ones keep to messages). */
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
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final Random skew = new Random(rank);
            for (int call = 0; call < 400; call++)
            {
                final int count = counts[call % counts.length];
                final long[] mine = new long[count];
                for (int i = 0; i < count; i++)
                {
                    mine[i] = call * 1_000_000L + rank * 10_000L + i;
                }
                if (skew.nextInt(8) == 0)
                {
                    // One rank late now and then, so others wait on its flags or run ahead where they may.
                    LockSupport.parkNanos(200_000);
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
                if (call % 2 == 0)
                {
                    final long[] sum = {rank + call};
                    world.allreduce(sum, 0, sum, 0, 1, ReduceOp.SUM);
                    assertEquals(3L * call + 3, sum[0], "allreduce after call " + call);
                }
            }
        });
    }
}
