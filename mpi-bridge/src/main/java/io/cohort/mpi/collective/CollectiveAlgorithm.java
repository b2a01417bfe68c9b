package io.cohort.mpi.collective;

import java.util.Locale;

/**
 * The algorithms a tuned collective can run, by the name a site writes in {@code COHORT_<COLLECTIVE>_ALGORITHM}
 * or a tuning file ({@code recursive-doubling}, {@code rabenseifner}, ...). Which collective takes which is in
 * {@link TunedCollective}; the sources of each algorithm are in the Javadoc of the method that builds it.
 */
public enum CollectiveAlgorithm
{
    /** Recursive doubling (allreduce, allgather): log2 p rounds of pairwise exchange of the whole data. */
    RECURSIVE_DOUBLING,
    /** Rabenseifner's allreduce: a reduce-scatter by recursive halving, then an allgather by recursive doubling. */
    RABENSEIFNER,
    /** The ring (allreduce, allgather): p - 1 steps, each passing one block to the right neighbour. */
    RING,
    /** The binomial tree (bcast). */
    BINOMIAL,
    /** Van de Geijn's bcast: a binomial scatter of p pieces, then a ring allgather of them. */
    SCATTER_ALLGATHER,
    /** Bruck's algorithm (allgather, alltoall): ceil(log2 p) rounds for any p, blocks packed per round. */
    BRUCK,
    /** Pairwise exchange (alltoall): p - 1 steps, sending to rank + i and receiving from rank - i. */
    PAIRWISE,
    /** The dissemination barrier: ceil(log2 p) rounds of zero-byte messages. */
    DISSEMINATION,
    /**
     * Through shared memory (allreduce, bcast, barrier), for communicators whose ranks all share one host: flags
     * and data slots in memory every rank maps ({@link SharedMemoryCollectives}). Elsewhere the automatic choice.
     */
    SHM;

    /**
     * The name used in variables and files: lower case, words joined by hyphens.
     *
     * @return for example {@code recursive-doubling}
     */
    public String id()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The algorithm of a name as {@link #id()} writes it (case-insensitive; underscores accepted for hyphens).
     *
     * @param id the name
     * @return the algorithm, or null if there is none of that name
     */
    public static CollectiveAlgorithm ofId(final String id)
    {
        for (final CollectiveAlgorithm algorithm : values())
        {
            if (algorithm.id().equalsIgnoreCase(id.trim().replace('_', '-')))
            {
                return algorithm;
            }
        }
        return null;
    }
}
