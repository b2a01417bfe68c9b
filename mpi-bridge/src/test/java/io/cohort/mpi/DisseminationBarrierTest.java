package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;

/** The barrier contract with every blocking barrier forced to dissemination. */
class DisseminationBarrierTest extends BarrierAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.DISSEMINATION);
    }
}
