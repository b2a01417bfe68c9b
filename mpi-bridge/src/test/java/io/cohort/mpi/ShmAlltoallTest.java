package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The all-to-all contract with every blocking call forced through shared memory (nonblocking ones use messages). */
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
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final Random skew = new Random(rank);
            for (int call = 0; call < 300; call++)
            {
                final int count = counts[call % counts.length];
                final long[] out = new long[size * count];
                for (int q = 0; q < size; q++)
                {
                    for (int i = 0; i < count; i++)
                    {
                        out[q * count + i] = value(call, rank, q, i);
                    }
                }
                if (skew.nextInt(8) == 0)
                {
                    // One rank late now and then, so others wait on its flags or run ahead where they may.
                    LockSupport.parkNanos(200_000);
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
                if (call % 2 == 0)
                {
                    final long[] sum = {rank + call};
                    world.allreduce(sum, 0, sum, 0, 1, ReduceOp.SUM);
                    assertEquals(3L * call + 3, sum[0], "allreduce after call " + call);
                }
            }
        });
    }

    private static long value(final int call, final int from, final int to, final int i)
    {
        return call * 100_000_000L + from * 10_000_000L + to * 1_000_000L + i;
    }
}
