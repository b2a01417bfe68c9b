package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveTuning;

/**
 * The allreduce contract under automatic selection, with thresholds lowered so the contract's counts run each of
 * recursive doubling, Rabenseifner and the ring.
 */
class AutoAllreduceTest extends AllreduceAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return CollectiveTuning.defaults().with(CollectiveTuning.ALLREDUCE_LARGE_BYTES, "256")
            .with(CollectiveTuning.ALLREDUCE_RING_BYTES, "64K");
    }
}
