package io.cohort.benchmarks.osu;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.Request;
import io.cohort.mpi.Status;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The rank program of {@code cohort bench bandwidth}, with osu_bw's semantics: rank 0 posts a window of
 * nonblocking sends, rank 1 a window of receives; after each window rank 1 answers with a 4-byte
 * acknowledgement. Every message of a window uses the same buffer, as in osu_bw. Bandwidth is bytes moved over
 * elapsed time, in MB/s (10^6 bytes), osu_bw's format.
 *
 * <p>Arguments: sizes, iterations, warm-up iterations, buffer kind, window size, minimum warm-up seconds.
 */
public final class OsuBandwidth
{
    private static final int TAG = 2;
    private static final int ACK_TAG = 3;
    private static final int LARGE = 8192;

    private OsuBandwidth()
    {
    }

    /**
     * Runs as one of the two ranks.
     *
     * @param args sizes, iterations, warm-up, buffer kind, window, warm-up seconds, skip, skip above 8 KiB
     */
    public static void main(final String[] args)
    {
        final long[] sizes = BenchArguments.sizes(args[0]);
        final int iterations = Integer.parseInt(args[1]);
        final int warmup = Integer.parseInt(args[2]);
        final BenchmarkBuffers kind = BenchmarkBuffers.parse(args[3]);
        final int window = Integer.parseInt(args[4]);
        final double warmupSeconds = Double.parseDouble(args[5]);
        final int skip = Integer.parseInt(args[6]);
        final int skipLarge = Integer.parseInt(args[7]);
        try (Cohort cohort = Cohort.init(args); Arena arena = Arena.ofConfined())
        {
            final Communicator world = cohort.world();
            if (world.size() != 2)
            {
                throw new IllegalStateException("the bandwidth benchmark needs exactly 2 ranks, not " + world.size());
            }
            final int rank = world.rank();
            final long max = BenchArguments.max(sizes);
            // One buffer for the whole window, as osu_bw does: the benchmark measures the transport, not DRAM.
            final MemorySegment[] buffers = new MemorySegment[window];
            final MemorySegment shared = kind.allocate(cohort, arena, max);
            java.util.Arrays.fill(buffers, shared);
            final MemorySegment ack = arena.allocate(4);
            final Request[] requests = new Request[window];
            final Status status = new Status();
            if (rank == 0)
            {
                System.out.println("# Cohort Bandwidth Test (transport "
                    + System.getenv().getOrDefault("COHORT_TRANSPORT", "auto")
                    + ", buffer " + kind.name().toLowerCase()
                    + ", window " + window + ")");
                System.out.println("# Size      Bandwidth (MB/s)");
            }
            // The warm-up is the measurement itself, repeated untimed for a minimum time, so the JIT has compiled
            // every path before the sweep that counts; results are printed only at the end.
            final double[] rows = new double[sizes.length];
            WarmUp.forAtLeast(world, warmupSeconds, pass -> sweep(world, sizes, buffers, ack, requests, status,
                Math.min(iterations, warmup), skip, skipLarge, rows));
            sweep(world, sizes, buffers, ack, requests, status, iterations, skip, skipLarge, rows);
            if (rank == 0)
            {
                final StringBuilder table = new StringBuilder();
                for (int i = 0; i < sizes.length; i++)
                {
                    table.append(String.format("%-10d%18.2f%n", sizes[i], rows[i]));
                }
                System.out.print(table);
            }
        }
    }

    /** One pass over every size; fills rows with MB/s. */
    private static void sweep(final Communicator world, final long[] sizes, final MemorySegment[] buffers,
        final MemorySegment ack, final Request[] requests, final Status status, final int iterations,
        final int skip, final int skipLarge, final double[] rows)
    {
        for (int s = 0; s < sizes.length; s++)
        {
            final long size = sizes[s];
            final int iters = size > LARGE ? Math.max(2, iterations / 5) : iterations;
            world.barrier();
            final int untimed = size > LARGE ? skipLarge : skip;
            if (untimed > 0)
            {
                windows(world, buffers, ack, requests, status, size, untimed);
            }
            final long elapsed = windows(world, buffers, ack, requests, status, size, iters);
            rows[s] = size * (double) buffers.length * iters / (elapsed / 1e9) / 1e6;
        }
    }

    /** Runs {@code iters} windows of one size; returns the elapsed nanoseconds. */
    private static long windows(final Communicator world, final MemorySegment[] buffers, final MemorySegment ack,
        final Request[] requests, final Status status, final long size, final int iters)
    {
        final int window = buffers.length;
        final long start = System.nanoTime();
        for (int i = 0; i < iters; i++)
        {
            if (world.rank() == 0)
            {
                for (int w = 0; w < window; w++)
                {
                    requests[w] = world.isend(buffers[w].asSlice(0, size), 1, TAG);
                }
                Request.waitAll(requests);
                world.recv(ack, 1, ACK_TAG, status);
            }
            else
            {
                for (int w = 0; w < window; w++)
                {
                    requests[w] = world.irecv(buffers[w].asSlice(0, size), 0, TAG);
                }
                Request.waitAll(requests);
                world.send(ack, 0, ACK_TAG);
            }
        }
        return System.nanoTime() - start;
    }
}
