package io.cohort.examples;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;

/**
 * Computes pi as the integral of 4 / (1 + x^2) over [0, 1] with the midpoint rule; every rank sums its share of
 * the intervals and sends its partial sum to rank 0, which adds them and checks the result.
 * <pre>{@code cohort run -n 4 -cp examples/target/cohort-examples.jar io.cohort.examples.Pi 100000000}</pre>
 */
public final class Pi
{
    private static final int TAG = 3;

    private Pi()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args optionally the number of intervals (default 10^7)
     */
    public static void main(final String[] args)
    {
        final long intervals = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int size = world.size();
            final double width = 1.0 / intervals;
            double partial = 0;
            for (long i = rank; i < intervals; i += size)
            {
                final double x = (i + 0.5) * width;
                partial += 4.0 / (1.0 + x * x);
            }
            partial *= width;
            if (rank != 0)
            {
                world.send(new double[] {partial}, 0, 1, 0, TAG);
                return;
            }
            double pi = partial;
            final double[] received = new double[1];
            for (int source = 1; source < size; source++)
            {
                world.recv(received, 0, 1, source, TAG);
                pi += received[0];
            }
            final double error = Math.abs(pi - Math.PI);
            final boolean ok = error < 1e-8;
            System.out.printf("pi: %s, %.15f with %d intervals on %d ranks (error %.2e)%n", ok ? "OK" : "FAILED", pi,
                intervals, size, error);
            if (!ok)
            {
                System.exit(1);
            }
        }
    }
}
