package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveTuning;

/** The bcast contract under automatic selection, thresholds lowered so the contract's counts run both algorithms. */
class AutoBcastTest extends BcastAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return CollectiveTuning.defaults().with(CollectiveTuning.BCAST_LARGE_BYTES, "4K")
            .with(CollectiveTuning.BCAST_MIN_RANKS, "3");
    }
}
