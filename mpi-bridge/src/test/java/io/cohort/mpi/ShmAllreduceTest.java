package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;

/** The allreduce contract with every blocking call forced through shared memory (nonblocking ones use messages). */
class ShmAllreduceTest extends AllreduceAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.SHM);
    }
}
