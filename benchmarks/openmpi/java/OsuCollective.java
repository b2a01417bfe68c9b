import mpi.Comm;
import mpi.MPI;

/**
 * Harness of the collective yardsticks over Open MPI's Java bindings (OsuAllreduce, OsuBcast, OsuAllgather,
 * OsuAlltoall, OsuBarrier;
 * osu_allreduce / osu_bcast / osu_barrier semantics, written for Cohort, not OSU's code), the same
 * measurement as the C ones in ../c/osu_coll.h and as {@code cohort bench allreduce|bcast|barrier}:
 * <ul>
 *   <li>every rank times a loop of {@code iterations} calls (no barrier between calls) after {@code skip}
 *       untimed calls; sizes above 8 KiB use --iterations-large / --skip-large;</li>
 *   <li>the row shows, per size, the average time per call of the slowest rank, in microseconds (reduce MAX
 *       of the per-rank averages);</li>
 *   <li>JIT warm-up: before timing, the whole sweep is repeated untimed (at most 1000 calls per size, 100
 *       above 8 KiB) until --warmup-seconds (default 3, as Cohort's) have passed on rank 0, which then tells
 *       the others by a broadcast; on two cores the compiler threads otherwise compete with the ranks.</li>
 * </ul>
 * Output in OSU's format: '#' header lines, then "size value" rows (barrier: one "value" row).
 */
abstract class OsuCollective {
    static final int[] DEFAULT_SIZES = {8, 64, 512, 4096, 32768, 262144, 1048576};
    private static final int WARM_ITERS = 1000, WARM_ITERS_LARGE = 100;

    /** Allocates the buffers for sizes up to {@code max} bytes. */
    abstract void allocate(int max) throws Exception;

    /** One call of the collective on {@code size} bytes. */
    abstract void call(Comm world, int size) throws Exception;

    /** Whether the collective has a message size (false for barrier). */
    boolean sized() {
        return true;
    }

    /** Sizes must be multiples of this (allreduce: 8, doubles). */
    int sizeMultiple() {
        return 1;
    }

    final void run(String[] args, String prog, String name) throws Exception {
        MPI.Init(args);
        Comm world = MPI.COMM_WORLD;
        int rank = world.getRank();
        OsuOptions o;
        try {
            // OSU's collective defaults: 1000 calls (100 above 8 KiB), 1000 (10) untimed first
            o = OsuOptions.parse(args, prog, DEFAULT_SIZES, 3.0, 1000, 10, 1000, 10);
            if (o != null && sized()) {
                for (int size : o.sizes) {
                    if (size % sizeMultiple() != 0)
                        throw new IllegalArgumentException(prog + ": size " + size + " is not a multiple of " + sizeMultiple());
                }
            }
        } catch (IllegalArgumentException e) {
            if (rank == 0) System.err.println(e.getMessage());
            MPI.Finalize();
            System.exit(2);
            return;
        }
        if (o == null) {
            MPI.Finalize();
            return;
        }
        int[] sizes = sized() ? o.sizes : new int[] {0};
        allocate(sized() ? o.maxSize() : 8);
        double[] rows = new double[sizes.length];
        // Warm-up and timed sweeps run the very same code, only with other counts: a branch that the
        // warm-up never took would send the compiled sweep back to the interpreter when timing starts.
        int[] iters = new int[sizes.length], skips = new int[sizes.length];
        int[] warmIters = new int[sizes.length], warmSkips = new int[sizes.length];
        for (int s = 0; s < sizes.length; s++) {
            iters[s] = o.iterationsFor(sizes[s]);
            skips[s] = o.skipFor(sizes[s]);
            warmIters[s] = Math.min(iters[s], sizes[s] > OsuOptions.LARGE_MESSAGE_SIZE ? WARM_ITERS_LARGE : WARM_ITERS);
        }

        if (o.warmupSeconds > 0) {
            long end = System.nanoTime() + (long) (o.warmupSeconds * 1e9);
            int[] goOn = {1};
            while (goOn[0] == 1) {
                sweep(world, sizes, warmIters, warmSkips, rows);
                if (rank == 0) goOn[0] = System.nanoTime() < end ? 1 : 0;
                world.bcast(goOn, 1, MPI.INT, 0);
            }
        }
        sweep(world, sizes, iters, skips, rows);

        if (rank == 0) {
            StringBuilder out = new StringBuilder();
            out.append("# Open MPI Java ").append(name).append(" Latency Test (").append(world.getSize()).append(" ranks)\n");
            if (sized()) {
                out.append("# Size       Avg Latency(us)\n");
                for (int s = 0; s < sizes.length; s++)
                    out.append(String.format(java.util.Locale.ROOT, "%-10d%18.3f%n", sizes[s], rows[s]));
            } else {
                out.append("# Avg Latency(us)\n");
                out.append(String.format(java.util.Locale.ROOT, "%18.3f%n", rows[0]));
            }
            System.out.print(out);
            System.out.flush();
        }
        MPI.Finalize();
    }

    private void sweep(Comm world, int[] sizes, int[] iters, int[] skips, double[] rows) throws Exception {
        double[] mine = new double[1], slowest = new double[1];
        for (int s = 0; s < sizes.length; s++) {
            int size = sizes[s], skip = skips[s], total = skips[s] + iters[s];
            world.barrier();
            long t0 = System.nanoTime();
            for (int i = 0; i < total; i++) {
                if (i == skip) t0 = System.nanoTime();
                call(world, size);
            }
            mine[0] = (System.nanoTime() - t0) / 1e3 / iters[s];
            world.reduce(mine, slowest, 1, MPI.DOUBLE, MPI.MAX, 0);
            rows[s] = slowest[0];
        }
    }
}
