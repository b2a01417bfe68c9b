package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveTuning;

import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Many collective calls with ranks out of step (one late now and then, so that others wait on its flags or run ahead
 * where they may), every other one followed by a small allreduce, which shares the small slots' ring: the drill for
 * the ring's reuse rules.
 */
final class OutOfStepCalls
{
    /** One call of the collective under test, which checks its own result. */
    @FunctionalInterface
    interface Call
    {
        void run(Communicator world, int call);
    }

    private OutOfStepCalls()
    {
    }

    static void run(final int size, final int calls, final CollectiveTuning tuning, final Call call)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning);
            final int rank = world.rank();
            final Random skew = new Random(rank);
            for (int c = 0; c < calls; c++)
            {
                if (skew.nextInt(8) == 0)
                {
                    LockSupport.parkNanos(200_000);
                }
                call.run(world, c);
                if (c % 2 == 0)
                {
                    final long[] sum = {rank + c};
                    world.allreduce(sum, 0, sum, 0, 1, ReduceOp.SUM);
                    assertEquals((long) size * c + size * (size - 1) / 2, sum[0], "allreduce after call " + c);
                }
            }
        });
    }
}
