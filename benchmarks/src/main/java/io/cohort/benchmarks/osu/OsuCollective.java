package io.cohort.benchmarks.osu;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.ReduceOp;
import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.collective.TunedCollective;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The rank program of {@code cohort bench allreduce|bcast|allgather|alltoall|barrier}, with the OSU benchmarks'
 * semantics: every rank times a loop of the collective, and the row shows, per message size, the average time per
 * call of the slowest rank, in microseconds. Allreduce sums doubles (size / 8 of them); bcast sends bytes from rank
 * 0; allgather gathers size bytes from every rank (osu_allgather); alltoall sends size bytes to every rank
 * (osu_alltoall). Like the point-to-point benchmarks, the whole timed sweep is first repeated untimed for a minimum
 * time.
 *
 * <p>The algorithm argument is {@code auto} (the tuning's choice), an algorithm's name (forced on every call), or
 * {@code sweep}: then every size is timed under automatic selection and under each algorithm, one column each, so
 * a site can read off where one algorithm overtakes another and set the thresholds of {@link CollectiveTuning}.
 *
 * <p>Every collective but the barrier moves its data in the buffer kind asked for ({@link BenchmarkBuffers}:
 * Cohort's shared memory, native memory, or the heap: byte[] and, for allreduce, double[]).
 *
 * <p>Arguments: collective, sizes, iterations, warm-up iterations, warm-up seconds, algorithm, skip, skip above
 * 8 KiB, buffer kind.
 */
public final class OsuCollective
{
    private static final int LARGE = 8192;
    private static final String SWEEP = "sweep";

    private OsuCollective()
    {
    }

    /**
     * Runs as one rank.
     *
     * @param args collective, sizes, iterations, warm-up, warm-up seconds, algorithm, skip, skip above 8 KiB,
     *             buffer kind
     */
    public static void main(final String[] args)
    {
        final String collective = args[0];
        final long[] sizes = "barrier".equals(collective) ? new long[] {0} : BenchArguments.sizes(args[1]);
        final int iterations = Integer.parseInt(args[2]);
        final int warmup = Integer.parseInt(args[3]);
        final double warmupSeconds = Double.parseDouble(args[4]);
        final String algorithm = args[5];
        final int skip = Integer.parseInt(args[6]);
        final int skipLarge = Integer.parseInt(args[7]);
        final BenchmarkBuffers kind = BenchmarkBuffers.parse(args[8]);
        try (Cohort cohort = Cohort.init(args); Arena arena = Arena.ofConfined())
        {
            final Communicator world = cohort.world();
            final List<CollectiveTuning> tunings = new ArrayList<>();
            final List<String> names = new ArrayList<>();
            final CollectiveTuning base = world.collectiveTuning();
            if (SWEEP.equals(algorithm))
            {
                final TunedCollective tuned = TunedCollective.valueOf(collective.toUpperCase(java.util.Locale.ROOT));
                tunings.add(base.forcing(tuned, null));
                names.add("auto");
                for (final CollectiveAlgorithm each : tuned.algorithms())
                {
                    tunings.add(base.forcing(tuned, each));
                    names.add(each.id());
                }
            }
            else
            {
                tunings.add("auto".equals(algorithm) ? base : base.with("COHORT_"
                    + collective.toUpperCase(java.util.Locale.ROOT) + "_ALGORITHM", algorithm));
                names.add(algorithm);
            }
            final Buffers buffers = new Buffers(collective, sizes, world.size(), kind, cohort, arena);
            final double[][] rows = new double[tunings.size()][sizes.length];
            WarmUp.forAtLeast(world, warmupSeconds, pass ->
            {
                for (int t = 0; t < tunings.size(); t++)
                {
                    world.useCollectiveTuning(tunings.get(t));
                    sweep(world, collective, sizes, Math.min(iterations, warmup), skip, skipLarge, buffers, rows[t]);
                }
            });
            for (int t = 0; t < tunings.size(); t++)
            {
                world.useCollectiveTuning(tunings.get(t));
                sweep(world, collective, sizes, iterations, skip, skipLarge, buffers, rows[t]);
            }
            world.useCollectiveTuning(base);
            if (world.rank() == 0)
            {
                System.out.print(table(collective, world.size(), algorithm, names, sizes, rows));
            }
        }
    }

    private static String table(final String collective, final int ranks, final String algorithm,
        final List<String> names, final long[] sizes, final double[][] rows)
    {
        final boolean barrier = "barrier".equals(collective);
        final StringBuilder table = new StringBuilder();
        table.append("# Cohort ").append(collective).append(" Latency Test (").append(ranks).append(" ranks");
        if (!"auto".equals(algorithm) && !SWEEP.equals(algorithm))
        {
            table.append(", algorithm ").append(algorithm);
        }
        table.append(")\n");
        if (SWEEP.equals(algorithm))
        {
            table.append("# Avg Latency(us) per algorithm\n# Size   ");
            for (final String name : names)
            {
                table.append(String.format(" %18s", name));
            }
            table.append('\n');
            for (int i = 0; i < sizes.length; i++)
            {
                table.append(String.format("%-10d", sizes[i]));
                for (final double[] row : rows)
                {
                    table.append(String.format(" %18.3f", row[i]));
                }
                table.append('\n');
            }
            return table.toString();
        }
        table.append(barrier ? "# Avg Latency(us)\n" : "# Size       Avg Latency(us)\n");
        for (int i = 0; i < sizes.length; i++)
        {
            table.append(barrier ? String.format("%18.3f%n", rows[0][i])
                : String.format("%-10d%18.3f%n", sizes[i], rows[0][i]));
        }
        return table.toString();
    }

    /**
     * The buffers of one collective, sized for the largest message: arrays, or (bcast, allgather and alltoall, when
     * the kind is not heap) segments with a slice per size, made once so that the timed loop allocates nothing.
     */
    private static final class Buffers
    {
        final double[] send;
        final double[] recv;
        final byte[] bytes;
        final byte[] gathered;
        /**
         * Per size: the bytes a rank sends, and what it gathers (all its blocks, for alltoall; the sum, for
         * allreduce); or null.
         */
        final MemorySegment[] bytesSlices;
        final MemorySegment[] gatheredSlices;

        Buffers(final String collective, final long[] sizes, final int ranks, final BenchmarkBuffers kind,
            final Cohort cohort, final Arena arena)
        {
            final int max = (int) BenchArguments.max(sizes);
            final boolean reduction = "allreduce".equals(collective);
            final boolean all = "allgather".equals(collective) || "alltoall".equals(collective);
            final boolean segments = kind != BenchmarkBuffers.HEAP && !"barrier".equals(collective);
            send = new double[reduction && !segments ? Math.max(1, max / Double.BYTES) : 1];
            recv = new double[send.length];
            final int bytesLength = Math.max(1, "alltoall".equals(collective) ? max * ranks : max);
            final int gatheredLength = all ? Math.max(1, max * ranks) : reduction ? Math.max(1, max) : 1;
            bytes = new byte[segments ? 1 : bytesLength];
            gathered = new byte[segments ? 1 : gatheredLength];
            bytesSlices = segments ? new MemorySegment[sizes.length] : null;
            gatheredSlices = segments ? new MemorySegment[sizes.length] : null;
            if (segments)
            {
                final MemorySegment from = kind.allocate(cohort, arena, bytesLength);
                final MemorySegment to = kind.allocate(cohort, arena, gatheredLength);
                for (int s = 0; s < sizes.length; s++)
                {
                    bytesSlices[s] = from.asSlice(0, "alltoall".equals(collective) ? sizes[s] * ranks : sizes[s]);
                    // For allreduce: the sum, as large as the doubles summed.
                    gatheredSlices[s] = to.asSlice(0, all ? sizes[s] * ranks : reduction ? sizes[s] : 1);
                }
            }
        }
    }

    private static void sweep(final Communicator world, final String collective, final long[] sizes,
        final int iterations, final int skip, final int skipLarge, final Buffers buffers, final double[] rows)
    {
        final double[] mine = new double[1];
        final double[] slowest = new double[1];
        for (int s = 0; s < sizes.length; s++)
        {
            final int size = (int) sizes[s];
            final int iters = size > LARGE ? Math.max(10, iterations / 10) : iterations;
            world.barrier();
            final int untimed = size > LARGE ? skipLarge : skip;
            for (int i = 0; i < untimed; i++)
            {
                call(world, collective, s, size, buffers);
            }
            final long start = System.nanoTime();
            for (int i = 0; i < iters; i++)
            {
                call(world, collective, s, size, buffers);
            }
            mine[0] = (System.nanoTime() - start) / 1e3 / iters;
            world.allreduce(mine, 0, slowest, 0, 1, ReduceOp.MAX);
            rows[s] = slowest[0];
        }
    }

    private static void call(final Communicator world, final String collective, final int s, final int size,
        final Buffers buffers)
    {
        if (buffers.bytesSlices != null)
        {
            switch (collective)
            {
                case "allreduce" -> world.allreduce(buffers.bytesSlices[s], buffers.gatheredSlices[s],
                    ValueLayout.JAVA_DOUBLE, ReduceOp.SUM);
                case "bcast" -> world.bcast(buffers.bytesSlices[s], 0);
                case "allgather" -> world.allgather(buffers.bytesSlices[s], buffers.gatheredSlices[s]);
                case "alltoall" -> world.alltoall(buffers.bytesSlices[s], buffers.gatheredSlices[s]);
                default -> throw new IllegalArgumentException("no segment form of " + collective);
            }
            return;
        }
        switch (collective)
        {
            case "allreduce" -> world.allreduce(buffers.send, 0, buffers.recv, 0, size / Double.BYTES, ReduceOp.SUM);
            case "bcast" -> world.bcast(buffers.bytes, 0, size, 0);
            case "allgather" -> world.allgather(buffers.bytes, 0, size, buffers.gathered, 0);
            case "alltoall" -> world.alltoall(buffers.bytes, 0, buffers.gathered, 0, size);
            case "barrier" -> world.barrier();
            default -> throw new IllegalArgumentException("unknown collective " + collective);
        }
    }
}
