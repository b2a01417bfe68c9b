package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;

/** The bcast contract with every blocking call forced through shared memory (nonblocking calls keep to messages). */
class ShmBcastTest extends BcastAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.SHM);
    }
}
