import java.nio.DoubleBuffer;

import mpi.Comm;
import mpi.MPI;

/**
 * Allreduce latency over Open MPI's Java bindings, osu_allreduce semantics (written for Cohort, not OSU's
 * code): allReduce of size / 8 doubles with MPI.SUM on direct DoubleBuffers from MPI.newDoubleBuffer; per
 * size, the slowest rank's average time per call in us. See OsuCollective.
 */
public final class OsuAllreduce extends OsuCollective {
    private DoubleBuffer sbuf, rbuf;

    public static void main(String[] args) throws Exception {
        new OsuAllreduce().run(args, "OsuAllreduce", "Allreduce");
    }

    @Override
    void allocate(int max) {
        int n = Math.max(1, max / Double.BYTES);
        sbuf = MPI.newDoubleBuffer(n);
        rbuf = MPI.newDoubleBuffer(n);
        for (int i = 0; i < n; i++) sbuf.put(i, 1.0);
    }

    @Override
    void call(Comm world, int size) throws Exception {
        world.allReduce(sbuf, rbuf, size / Double.BYTES, MPI.DOUBLE, MPI.SUM);
    }

    @Override
    int sizeMultiple() {
        return Double.BYTES;
    }
}
