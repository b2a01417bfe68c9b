import java.nio.ByteBuffer;

import mpi.Comm;
import mpi.MPI;
import mpi.Request;

/**
 * Streaming bandwidth from rank 0 to rank 1 over Open MPI's Java bindings, OSU osu_bw semantics (written
 * for Cohort, not OSU's code): per iteration rank 0 posts a window of 64 iSends, rank 1 a window of 64
 * iRecvs, both wait for all, then rank 1 returns a 4-byte ack. MB/s = size * window * iterations /
 * elapsed / 1e6, warm-up iterations excluded. Uses direct ByteBuffers from MPI.newByteBuffer.
 */
public final class OsuBandwidth {
    private static final int WINDOW = 64;

    public static void main(String[] args) throws Exception {
        MPI.Init(args);
        Comm world = MPI.COMM_WORLD;
        int rank = world.getRank();
        if (world.getSize() != 2) {
            if (rank == 0) System.err.println("OsuBandwidth needs exactly 2 ranks, got " + world.getSize());
            MPI.Finalize();
            System.exit(1);
        }
        OsuOptions o;
        try {
            o = OsuOptions.parse(args, "OsuBandwidth", 100, 5, 200, 2);
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
        Request[] reqs = new Request[WINDOW];

        if (rank == 0) {
            System.out.println("# Open MPI Java Bandwidth Test");
            System.out.println("# Size      Bandwidth (MB/s)");
            System.out.flush();
        }
        double[] rows = new double[o.sizes.length];
        // Before timing, the same sweep untimed for --warmup-seconds, as cohort bench does.
        if (o.warmupSeconds > 0) {
            long end = System.nanoTime() + (long) (o.warmupSeconds * 1e9);
            int[] goOn = {1};
            while (goOn[0] == 1) {
                sweep(world, rank, o, sbuf, rbuf, reqs, rows);
                if (rank == 0) goOn[0] = System.nanoTime() < end ? 1 : 0;
                world.bcast(goOn, 1, MPI.INT, 0);
            }
        }
        sweep(world, rank, o, sbuf, rbuf, reqs, rows);
        if (rank == 0) {
            for (int s = 0; s < o.sizes.length; s++) {
                System.out.printf(java.util.Locale.ROOT, "%-10d%18.2f%n", o.sizes[s], rows[s]);
            }
            System.out.flush();
        }
        MPI.Finalize();
    }

    /** One pass over every size; rows get MB/s. */
    private static void sweep(Comm world, int rank, OsuOptions o, ByteBuffer sbuf, ByteBuffer rbuf, Request[] reqs,
            double[] rows) throws Exception {
        for (int s = 0; s < o.sizes.length; s++) {
            int size = o.sizes[s];
            int iters = o.iterationsFor(size);
            int skip = o.skipFor(size);
            double t0 = 0;
            world.barrier();
            for (int i = 0; i < iters + skip; i++) {
                if (i == skip) t0 = MPI.wtime();
                if (rank == 0) {
                    for (int w = 0; w < WINDOW; w++) reqs[w] = world.iSend(sbuf, size, MPI.BYTE, 1, 100);
                    Request.waitAll(reqs);
                    world.recv(rbuf, 4, MPI.BYTE, 1, 101);
                } else {
                    for (int w = 0; w < WINDOW; w++) reqs[w] = world.iRecv(rbuf, size, MPI.BYTE, 0, 100);
                    Request.waitAll(reqs);
                    world.send(sbuf, 4, MPI.BYTE, 0, 101);
                }
            }
            rows[s] = (double) size * WINDOW * iters / (MPI.wtime() - t0) / 1e6;
        }
    }
}
