import mpi.Comm;

/**
 * Barrier latency over Open MPI's Java bindings, osu_barrier semantics (written for Cohort, not OSU's code):
 * the slowest rank's average time per barrier in us, one row (--sizes is ignored). See OsuCollective.
 */
public final class OsuBarrier extends OsuCollective {
    public static void main(String[] args) throws Exception {
        new OsuBarrier().run(args, "OsuBarrier", "Barrier");
    }

    @Override
    void allocate(int max) {
    }

    @Override
    void call(Comm world, int size) throws Exception {
        world.barrier();
    }

    @Override
    boolean sized() {
        return false;
    }
}
