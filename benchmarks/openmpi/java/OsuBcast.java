import java.nio.ByteBuffer;

import mpi.Comm;
import mpi.MPI;

/**
 * Broadcast latency over Open MPI's Java bindings, osu_bcast semantics (written for Cohort, not OSU's code):
 * bcast of size bytes from rank 0 on a direct ByteBuffer from MPI.newByteBuffer; per size, the slowest
 * rank's average time per call in us. See OsuCollective.
 */
public final class OsuBcast extends OsuCollective {
    private ByteBuffer buf;

    public static void main(String[] args) throws Exception {
        new OsuBcast().run(args, "OsuBcast", "Bcast");
    }

    @Override
    void allocate(int max) {
        buf = MPI.newByteBuffer(Math.max(1, max));
        for (int i = 0; i < buf.capacity(); i++) buf.put(i, (byte) 'a');
    }

    @Override
    void call(Comm world, int size) throws Exception {
        world.bcast(buf, size, MPI.BYTE, 0);
    }
}
