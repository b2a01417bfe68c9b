package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;

/** The allgather contract with every blocking call forced through shared memory (nonblocking ones keep to messages). */
class ShmAllgatherTest extends AllgatherAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.SHM);
    }
}
