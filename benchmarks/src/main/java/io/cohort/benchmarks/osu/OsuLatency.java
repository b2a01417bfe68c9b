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
 * <p>Arguments: sizes (comma-separated bytes), iterations, warm-up iterations, buffer kind, percentiles flag.
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
     * @param args sizes, iterations, warm-up, buffer kind, percentiles (true/false)
     */
    public static void main(final String[] args)
    {
        final long[] sizes = BenchArguments.sizes(args[0]);
        final int iterations = Integer.parseInt(args[1]);
        final int warmup = Integer.parseInt(args[2]);
        final BenchmarkBuffers kind = BenchmarkBuffers.parse(args[3]);
        final boolean percentiles = Boolean.parseBoolean(args[4]);
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
                System.out.println("# Cohort Latency Test (transport shm, buffer " + kind.name().toLowerCase() + ")");
                System.out.println("# Size          Latency (us)" + (percentiles
                    ? "       p50 (us)       p99 (us)     p99.9 (us)" : ""));
            }
            final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
            // A JVM runs interpreted until the JIT has compiled the path: one untimed pass over every size first
            // (as JMH's warm-up iterations), so every protocol is compiled before anything is timed.
            for (final long size : sizes)
            {
                final int skip = size > LARGE ? Math.max(2, warmup / 10) : warmup;
                pingPong(world, send.asSlice(0, size), recv.asSlice(0, size), skip, status, null);
            }
            for (final long size : sizes)
            {
                final int iters = size > LARGE ? Math.max(10, iterations / 10) : iterations;
                histogram.reset();
                world.barrier();
                final long elapsed = pingPong(world, send.asSlice(0, size), recv.asSlice(0, size), iters, status,
                    percentiles ? histogram : null);
                final double oneWayMicros = elapsed / 1e3 / (2.0 * iters);
                if (rank == 0)
                {
                    System.out.print(String.format("%-10d%18.3f", size, oneWayMicros));
                    if (percentiles)
                    {
                        System.out.print(String.format("%15.3f%15.3f%15.3f",
                            histogram.getValueAtPercentile(50) / 2e3, histogram.getValueAtPercentile(99) / 2e3,
                            histogram.getValueAtPercentile(99.9) / 2e3));
                    }
                    System.out.println();
                }
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
