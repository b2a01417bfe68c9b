package io.cohort.examples;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.ReduceOp;

/**
 * Works in steps and reports its progress after each one: every step, the ranks sum the integers of that step's
 * block between them (an allreduce), wait the given time (standing in for real work), and rank 0 calls
 * {@code cohort.progress(step, steps, "step k of n")}. At the end rank 0 checks the total against the closed form
 * and prints {@code progress-demo: OK}. Under a head node, {@code cohort watch} shows the bar move.
 * <pre>{@code cohort submit -n 4 --wait -cp examples/target/cohort-examples.jar io.cohort.examples.ProgressDemo 20 500}
 * </pre>
 */
public final class ProgressDemo
{
    private static final long BLOCK = 1_000_000L;

    private ProgressDemo()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args optionally the number of steps (default 10, at least 1) and the milliseconds each step waits
     *             (default 200, at least 0)
     */
    public static void main(final String[] args)
    {
        final int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        final long millis = args.length > 1 ? Long.parseLong(args[1]) : 200;
        if (steps < 1 || millis < 0)
        {
            System.err.println("progress-demo: steps (" + steps + ") must be >= 1 and millis per step (" + millis
                + ") >= 0; usage: ProgressDemo [steps] [millis-per-step]");
            System.exit(2);
        }
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            final long[] local = new long[1];
            final long[] global = new long[1];
            long total = 0;
            for (int step = 1; step <= steps; step++)
            {
                local[0] = 0;
                // This step's block of integers, dealt round-robin over the ranks.
                final long first = (step - 1) * BLOCK + 1;
                for (long i = first + world.rank(); i < first + BLOCK; i += world.size())
                {
                    local[0] += i;
                }
                world.allreduce(local, 0, global, 0, 1, ReduceOp.SUM);
                total += global[0];
                sleep(millis);
                // Every rank may call it; only rank 0's reports count.
                cohort.progress(step, steps, "step " + step + " of " + steps);
            }
            if (world.rank() == 0)
            {
                final long n = steps * BLOCK;
                final long expected = n * (n + 1) / 2;
                final boolean ok = total == expected;
                System.out.println("progress-demo: " + (ok ? "OK" : "FAILED") + ", sum of 1.." + n + " = " + total
                    + " in " + steps + " steps on " + world.size() + " ranks");
                if (!ok)
                {
                    System.exit(1);
                }
            }
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
