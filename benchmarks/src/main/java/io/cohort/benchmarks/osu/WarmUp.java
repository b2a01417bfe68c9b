package io.cohort.benchmarks.osu;

import io.cohort.mpi.Communicator;

import java.util.function.IntConsumer;

/**
 * Warms a 2-rank benchmark up for a minimum wall time, not just a count: on two cores the JIT's compiler threads
 * compete with the spinning ranks, and until they have finished, round trips now and then lose a scheduler time
 * slice (milliseconds). Rank 0 keeps time and tells every rank, after every chunk, whether to go on.
 */
final class WarmUp
{
    private WarmUp()
    {
    }

    /**
     * Runs chunks of work until at least {@code seconds} have passed on rank 0 (and at least one chunk).
     *
     * @param world   the communicator
     * @param seconds the minimum wall time
     * @param chunk   one chunk of the benchmark's work; its argument is the chunk's number
     */
    static void forAtLeast(final Communicator world, final double seconds, final IntConsumer chunk)
    {
        final long end = System.nanoTime() + (long) (seconds * 1e9);
        final int[] goOn = {1};
        for (int i = 0; goOn[0] == 1; i++)
        {
            chunk.accept(i);
            if (world.rank() == 0)
            {
                goOn[0] = System.nanoTime() < end ? 1 : 0;
            }
            // Every rank must hear rank 0's decision, not just rank 1.
            world.bcast(goOn, 0, 1, 0);
        }
    }
}
