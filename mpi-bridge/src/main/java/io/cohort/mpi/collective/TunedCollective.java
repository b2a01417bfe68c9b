package io.cohort.mpi.collective;

import java.util.List;
import java.util.Locale;

/**
 * The collectives whose algorithm is chosen by message and communicator size, each with the algorithms it can
 * run. Its selection variable is {@code COHORT_<NAME>_ALGORITHM} ({@code auto} or one of its algorithms).
 */
public enum TunedCollective
{
    /** MPI_Allreduce. */
    ALLREDUCE(CollectiveAlgorithm.RECURSIVE_DOUBLING, CollectiveAlgorithm.RABENSEIFNER, CollectiveAlgorithm.RING,
        CollectiveAlgorithm.SHM),
    /** MPI_Bcast. */
    BCAST(CollectiveAlgorithm.BINOMIAL, CollectiveAlgorithm.SCATTER_ALLGATHER, CollectiveAlgorithm.SHM),
    /** MPI_Barrier. */
    BARRIER(CollectiveAlgorithm.DISSEMINATION, CollectiveAlgorithm.SHM),
    /** MPI_Allgather (the fixed-count form; allgatherv always runs the ring). */
    ALLGATHER(CollectiveAlgorithm.RECURSIVE_DOUBLING, CollectiveAlgorithm.BRUCK, CollectiveAlgorithm.RING,
        CollectiveAlgorithm.SHM),
    /** MPI_Alltoall (the fixed-count form; alltoallv always runs pairwise exchange). */
    ALLTOALL(CollectiveAlgorithm.BRUCK, CollectiveAlgorithm.PAIRWISE, CollectiveAlgorithm.SHM);

    private final List<CollectiveAlgorithm> algorithms;

    TunedCollective(final CollectiveAlgorithm... algorithms)
    {
        this.algorithms = List.of(algorithms);
    }

    /**
     * The algorithms this collective can run.
     *
     * @return in order from small-message to large-message algorithms
     */
    public List<CollectiveAlgorithm> algorithms()
    {
        return algorithms;
    }

    /**
     * The collective's name as the benchmarks write it.
     *
     * @return for example {@code allreduce}
     */
    public String id()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The variable that forces an algorithm.
     *
     * @return for example {@code COHORT_ALLREDUCE_ALGORITHM}
     */
    public String algorithmVariable()
    {
        return "COHORT_" + name() + "_ALGORITHM";
    }
}
