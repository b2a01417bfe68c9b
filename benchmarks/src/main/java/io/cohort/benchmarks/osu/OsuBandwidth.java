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
 * <p>Arguments: sizes, iterations, warm-up iterations, buffer kind, window size.
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
     * @param args sizes, iterations, warm-up, buffer kind, window
     */
    public static void main(final String[] args)
    {
        final long[] sizes = BenchArguments.sizes(args[0]);
        final int iterations = Integer.parseInt(args[1]);
        final int warmup = Integer.parseInt(args[2]);
        final BenchmarkBuffers kind = BenchmarkBuffers.parse(args[3]);
        final int window = Integer.parseInt(args[4]);
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
                System.out.println("# Cohort Bandwidth Test (transport shm, buffer " + kind.name().toLowerCase()
                    + ", window " + window + ")");
                System.out.println("# Size      Bandwidth (MB/s)");
            }
            for (final long size : sizes)
            {
                // Untimed pass first, so the JIT has compiled every protocol before anything is timed.
                windows(world, buffers, ack, requests, status, size, size > LARGE ? Math.max(2, warmup / 5) : warmup);
            }
            for (final long size : sizes)
            {
                final int iters = size > LARGE ? Math.max(2, iterations / 5) : iterations;
                world.barrier();
                final long elapsed = windows(world, buffers, ack, requests, status, size, iters);
                if (rank == 0)
                {
                    final double megabytesPerSecond = size * (double) window * iters / (elapsed / 1e9) / 1e6;
                    System.out.println(String.format("%-10d%18.2f", size, megabytesPerSecond));
                }
            }
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
