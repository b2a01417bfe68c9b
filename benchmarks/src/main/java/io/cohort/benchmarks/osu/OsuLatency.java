package io.cohort.benchmarks.osu;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.Status;
import org.HdrHistogram.Histogram;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The rank program of {@code cohort bench latency}, with osu_latency's semantics: rank 0 and rank 1 ping-pong one
 * message per size, warm-up rounds are discarded, and the one-way latency is the round trip's half. Output is
 * osu_latency's format: {@code #} header lines, then one row per size. With percentiles on, each round trip is
 * also recorded in an HdrHistogram and p50, p99 and p99.9 of the one-way time are added as columns.
 *
 * <p>Arguments: sizes (comma-separated bytes), iterations, warm-up iterations, buffer kind, percentiles flag,
 * minimum warm-up seconds.
 */
public final class OsuLatency
{
    private static final int TAG = 1;
    private static final int LARGE = 8192;

    private OsuLatency()
    {
    }

    /**
     * Runs as one of the two ranks.
     *
     * @param args sizes, iterations, warm-up, buffer kind, percentiles (true/false), warm-up seconds, skip, skip above
     *             8 KiB
     */
    public static void main(final String[] args)
    {
        final long[] sizes = BenchArguments.sizes(args[0]);
        final int iterations = Integer.parseInt(args[1]);
        final int warmup = Integer.parseInt(args[2]);
        final BenchmarkBuffers kind = BenchmarkBuffers.parse(args[3]);
        final boolean percentiles = Boolean.parseBoolean(args[4]);
        final double warmupSeconds = Double.parseDouble(args[5]);
        final int skip = Integer.parseInt(args[6]);
        final int skipLarge = Integer.parseInt(args[7]);
        try (Cohort cohort = Cohort.init(args); Arena arena = Arena.ofConfined())
        {
            final Communicator world = cohort.world();
            if (world.size() != 2)
            {
                throw new IllegalStateException("the latency benchmark needs exactly 2 ranks, not " + world.size());
            }
            final int rank = world.rank();
            final long max = BenchArguments.max(sizes);
            final MemorySegment send = kind.allocate(cohort, arena, max);
            final MemorySegment recv = kind.allocate(cohort, arena, max);
            final Status status = new Status();
            if (rank == 0)
            {
                System.out.println("# Cohort Latency Test (transport "
                    + System.getenv().getOrDefault("COHORT_TRANSPORT", "auto")
                    + ", buffer " + kind.name().toLowerCase() + ")");
                System.out.println("# Size          Latency (us)" + (percentiles
                    ? "       p50 (us)       p99 (us)     p99.9 (us)" : ""));
            }
            final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
            final double[][] rows = new double[sizes.length][4];
            // A JVM runs interpreted until the JIT has compiled the path, and recompiles whatever meets a branch
            // it never saw. So the warm-up is the measurement itself, repeated untimed for a minimum time (as
            // JMH's warm-up iterations): every path, barriers and histograms included, is compiled before the
            // sweep that counts. Results are printed only at the end, so formatting is not in the timed phase.
            WarmUp.forAtLeast(world, warmupSeconds, pass -> sweep(world, sizes, send, recv,
                Math.min(iterations, warmup), skip, skipLarge, status, percentiles ? histogram : null, rows));
            sweep(world, sizes, send, recv, iterations, skip, skipLarge, status, percentiles ? histogram : null, rows);
            if (rank == 0)
            {
                final StringBuilder table = new StringBuilder();
                for (int i = 0; i < sizes.length; i++)
                {
                    table.append(String.format("%-10d%18.3f", sizes[i], rows[i][0]));
                    if (percentiles)
                    {
                        table.append(String.format("%15.3f%15.3f%15.3f", rows[i][1], rows[i][2], rows[i][3]));
                    }
                    table.append('\n');
                }
                System.out.print(table);
            }
        }
    }

    /** One pass over every size; fills rows with the one-way mean, p50, p99 and p99.9 in microseconds. */
    private static void sweep(final Communicator world, final long[] sizes, final MemorySegment send,
        final MemorySegment recv, final int iterations, final int skip, final int skipLarge, final Status status,
        final Histogram histogram, final double[][] rows)
    {
        for (int s = 0; s < sizes.length; s++)
        {
            final long size = sizes[s];
            final int iters = size > LARGE ? Math.max(10, iterations / 10) : iterations;
            if (histogram != null)
            {
                histogram.reset();
            }
            world.barrier();
            final MemorySegment out = send.asSlice(0, size);
            final MemorySegment in = recv.asSlice(0, size);
            final int untimed = size > LARGE ? skipLarge : skip;
            if (untimed > 0)
            {
                pingPong(world, out, in, untimed, status, null);
            }
            final long elapsed = pingPong(world, out, in, iters, status, histogram);
            rows[s][0] = elapsed / 1e3 / (2.0 * iters);
            if (histogram != null)
            {
                rows[s][1] = histogram.getValueAtPercentile(50) / 2e3;
                rows[s][2] = histogram.getValueAtPercentile(99) / 2e3;
                rows[s][3] = histogram.getValueAtPercentile(99.9) / 2e3;
            }
        }
    }

    /** Ping-pongs {@code iters} round trips; returns the elapsed nanoseconds (rank 0's view). */
    private static long pingPong(final Communicator world, final MemorySegment out, final MemorySegment in,
        final int iters, final Status status, final Histogram histogram)
    {
        final boolean first = world.rank() == 0;
        final long start = System.nanoTime();
        for (int i = 0; i < iters; i++)
        {
            final long t0 = histogram == null ? 0 : System.nanoTime();
            if (first)
            {
                world.send(out, 1, TAG);
                world.recv(in, 1, TAG, status);
            }
            else
            {
                world.recv(in, 0, TAG, status);
                world.send(out, 0, TAG);
            }
            if (histogram != null)
            {
                histogram.recordValue(System.nanoTime() - t0);
            }
        }
        return System.nanoTime() - start;
    }
}
