package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;

/** The allreduce contract with every call forced to rabenseifner. */
class RabenseifnerAllreduceTest extends AllreduceAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.RABENSEIFNER);
    }
}
