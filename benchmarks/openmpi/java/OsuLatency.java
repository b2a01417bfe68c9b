import java.nio.ByteBuffer;

import mpi.Comm;
import mpi.MPI;

/**
 * Ping-pong latency between ranks 0 and 1 over Open MPI's Java bindings, OSU osu_latency semantics
 * (written for Cohort, not OSU's code). One-way latency = elapsed / (2 * iterations), warm-up iterations
 * excluded. Uses direct ByteBuffers from MPI.newByteBuffer, the bindings' zero-copy path.
 */
public final class OsuLatency {
    public static void main(String[] args) throws Exception {
        MPI.Init(args);
        Comm world = MPI.COMM_WORLD;
        int rank = world.getRank();
        if (world.getSize() != 2) {
            if (rank == 0) System.err.println("OsuLatency needs exactly 2 ranks, got " + world.getSize());
            MPI.Finalize();
            System.exit(1);
        }
        OsuOptions o;
        try {
            o = OsuOptions.parse(args, "OsuLatency", 10000, 10, 10000, 10);
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
        ByteBuffer sbuf = MPI.newByteBuffer(o.maxSize());
        ByteBuffer rbuf = MPI.newByteBuffer(o.maxSize());
        for (int i = 0; i < o.maxSize(); i++) {
            sbuf.put(i, (byte) 'a');
            rbuf.put(i, (byte) 'b');
        }

        if (rank == 0) {
            System.out.println("# Open MPI Java Latency Test");
            System.out.println("# Size          Latency (us)");
            System.out.flush();
        }
        double[] rows = new double[o.sizes.length];
        // Before timing, the same sweep untimed for --warmup-seconds, as cohort bench does: the JIT has
        // then compiled every size's path in both programs.
        if (o.warmupSeconds > 0) {
            long end = System.nanoTime() + (long) (o.warmupSeconds * 1e9);
            int[] goOn = {1};
            while (goOn[0] == 1) {
                sweep(world, rank, o, sbuf, rbuf, rows);
                if (rank == 0) goOn[0] = System.nanoTime() < end ? 1 : 0;
                world.bcast(goOn, 1, MPI.INT, 0);
            }
        }
        sweep(world, rank, o, sbuf, rbuf, rows);
        if (rank == 0) {
            for (int s = 0; s < o.sizes.length; s++) {
                System.out.printf(java.util.Locale.ROOT, "%-10d%18.3f%n", o.sizes[s], rows[s]);
            }
            System.out.flush();
        }
        MPI.Finalize();
    }

    /** One pass over every size; rows get the one-way latency in us. */
    private static void sweep(Comm world, int rank, OsuOptions o, ByteBuffer sbuf, ByteBuffer rbuf, double[] rows)
            throws Exception {
        for (int s = 0; s < o.sizes.length; s++) {
            int size = o.sizes[s];
            int iters = o.iterationsFor(size);
            int skip = o.skipFor(size);
            double t0 = 0;
            world.barrier();
            for (int i = 0; i < iters + skip; i++) {
                if (i == skip) t0 = MPI.wtime();
                if (rank == 0) {
                    world.send(sbuf, size, MPI.BYTE, 1, 1);
                    world.recv(rbuf, size, MPI.BYTE, 1, 1);
                } else {
                    world.recv(rbuf, size, MPI.BYTE, 0, 1);
                    world.send(sbuf, size, MPI.BYTE, 0, 1);
                }
            }
            rows[s] = (MPI.wtime() - t0) * 1e6 / (2.0 * iters);
        }
    }
}
