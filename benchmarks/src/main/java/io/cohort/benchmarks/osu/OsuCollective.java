package io.cohort.benchmarks.osu;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.ReduceOp;

/**
 * The rank program of {@code cohort bench allreduce|bcast|barrier}, with osu_allreduce's semantics: every rank
 * times a loop of the collective, and the row shows, per message size, the average time per call of the slowest
 * rank, in microseconds. Allreduce sums doubles (size / 8 of them); bcast sends bytes from rank 0. Like the
 * point-to-point benchmarks, the whole timed sweep is first repeated untimed for a minimum time.
 *
 * <p>Arguments: collective, sizes, iterations, warm-up iterations, warm-up seconds.
 */
public final class OsuCollective
{
    private static final int LARGE = 8192;

    private OsuCollective()
    {
    }

    /**
     * Runs as one rank.
     *
     * @param args collective, sizes, iterations, warm-up, warm-up seconds
     */
    public static void main(final String[] args)
    {
        final String collective = args[0];
        final long[] sizes = "barrier".equals(collective) ? new long[] {0} : BenchArguments.sizes(args[1]);
        final int iterations = Integer.parseInt(args[2]);
        final int warmup = Integer.parseInt(args[3]);
        final double warmupSeconds = Double.parseDouble(args[4]);
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            final int max = (int) BenchArguments.max(sizes);
            final double[] send = new double[Math.max(1, max / Double.BYTES)];
            final double[] recv = new double[send.length];
            final byte[] bytes = new byte[Math.max(1, max)];
            final double[] rows = new double[sizes.length];
            WarmUp.forAtLeast(world, warmupSeconds, pass -> sweep(world, collective, sizes,
                Math.min(iterations, warmup), send, recv, bytes, rows));
            sweep(world, collective, sizes, iterations, send, recv, bytes, rows);
            if (world.rank() == 0)
            {
                final StringBuilder table = new StringBuilder();
                table.append("# Cohort ").append(collective).append(" Latency Test (").append(world.size())
                    .append(" ranks)\n");
                table.append("barrier".equals(collective) ? "# Avg Latency(us)\n" : "# Size       Avg Latency(us)\n");
                for (int i = 0; i < sizes.length; i++)
                {
                    table.append("barrier".equals(collective) ? String.format("%18.3f%n", rows[i])
                        : String.format("%-10d%18.3f%n", sizes[i], rows[i]));
                }
                System.out.print(table);
            }
        }
    }

    private static void sweep(final Communicator world, final String collective, final long[] sizes,
        final int iterations, final double[] send, final double[] recv, final byte[] bytes, final double[] rows)
    {
        final double[] mine = new double[1];
        final double[] slowest = new double[1];
        for (int s = 0; s < sizes.length; s++)
        {
            final int size = (int) sizes[s];
            final int iters = size > LARGE ? Math.max(10, iterations / 10) : iterations;
            world.barrier();
            final long start = System.nanoTime();
            for (int i = 0; i < iters; i++)
            {
                switch (collective)
                {
                    case "allreduce" -> world.allreduce(send, 0, recv, 0, size / Double.BYTES, ReduceOp.SUM);
                    case "bcast" -> world.bcast(bytes, 0, size, 0);
                    case "barrier" -> world.barrier();
                    default -> throw new IllegalArgumentException("unknown collective " + collective);
                }
            }
            mine[0] = (System.nanoTime() - start) / 1e3 / iters;
            world.allreduce(mine, 0, slowest, 0, 1, ReduceOp.MAX);
            rows[s] = slowest[0];
        }
    }
}
