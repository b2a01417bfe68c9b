package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;

/** The alltoall contract with every call forced to pairwise. */
class PairwiseAlltoallTest extends AlltoallAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.PAIRWISE);
    }
}
