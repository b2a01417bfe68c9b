package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The allreduce contract with every blocking call forced through shared memory (nonblocking ones use messages). */
class ShmAllreduceTest extends AllreduceAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.SHM);
    }

    /**
     * Small allreduces wait on a flag in each peer's small slot rather than on its step count; interleaved with
     * calls that wait on the count (bcasts, barriers, sliced allreduces) and with ranks out of step, every result
     * must still be right, over several turns of the small slots' ring.
     */
    @Test
    void smallAllreducesInterleavedWithOtherSharedMemoryCollectivesOverManyTurnsOfTheSlotRingStayExact()
    {
        final int[] counts = {1, 7, 8, 9, 512, 700};
        ThreadedJob.run(3, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final Random skew = new Random(rank);
            for (int call = 0; call < 400; call++)
            {
                final int count = counts[call % counts.length];
                final double[] send = new double[count];
                final double[] expected = new double[count];
                for (int i = 0; i < count; i++)
                {
                    send[i] = call * 1000.0 + rank * 10 + i;
                    expected[i] = 3 * (call * 1000.0 + i) + 10 * (0 + 1 + 2);
                }
                if (skew.nextInt(8) == 0)
                {
                    // One rank late now and then, so others wait on its flags (or run ahead where they may).
                    LockSupport.parkNanos(200_000);
                }
                final double[] recv = new double[count];
                final boolean inPlace = call % 3 == 0;
                world.allreduce(send, 0, inPlace ? send : recv, 0, count, ReduceOp.SUM);
                assertArrayEquals(expected, inPlace ? send : recv, "call " + call + " on rank " + rank);
                switch (call % 4)
                {
                    case 0 -> world.barrier();
                    case 1 ->
                    {
                        final long[] value = {rank == call % 3 ? call : -1};
                        world.bcast(value, 0, 1, call % 3);
                        assertEquals(call, value[0], "bcast after call " + call);
                    }
                    case 2 -> world.ibarrier().await();
                    default ->
                    {
                    }
                }
            }
        });
    }
}
