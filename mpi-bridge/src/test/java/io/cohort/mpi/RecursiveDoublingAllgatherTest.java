package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;

/**
 * The allgather contract with every call forced to recursive-doubling (Bruck's algorithm on sizes that are not a
 * power of two).
 */
class RecursiveDoublingAllgatherTest extends AllgatherAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.RECURSIVE_DOUBLING);
    }
}
