import java.nio.ByteBuffer;

import mpi.Comm;
import mpi.MPI;

/**
 * Allgather latency over Open MPI's Java bindings, osu_allgather semantics (written for Cohort, not OSU's code):
 * allGather of size bytes from every rank on direct ByteBuffers from MPI.newByteBuffer; per size, the slowest
 * rank's average time per call in us. See OsuCollective.
 */
public final class OsuAllgather extends OsuCollective {
    private ByteBuffer sbuf, rbuf;

    public static void main(String[] args) throws Exception {
        new OsuAllgather().run(args, "OsuAllgather", "Allgather");
    }

    @Override
    void allocate(int max) throws Exception {
        int ranks = MPI.COMM_WORLD.getSize();
        sbuf = MPI.newByteBuffer(Math.max(1, max));
        rbuf = MPI.newByteBuffer(Math.max(1, max * ranks));
        for (int i = 0; i < sbuf.capacity(); i++) sbuf.put(i, (byte) 'a');
    }

    @Override
    void call(Comm world, int size) throws Exception {
        world.allGather(sbuf, size, MPI.BYTE, rbuf, size, MPI.BYTE);
    }
}
