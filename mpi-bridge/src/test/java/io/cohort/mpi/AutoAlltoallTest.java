package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveTuning;

/**
 * The all-to-all contract under automatic selection by messages (shared memory off), thresholds lowered so the
 * contract's counts run both.
 */
class AutoAlltoallTest extends AlltoallAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return CollectiveTuning.defaults().with(CollectiveTuning.ALLTOALL_SMALL_BYTES, "64")
            .with(CollectiveTuning.ALLTOALL_MIN_RANKS, "3").with(CollectiveTuning.ALLTOALL_SHM_BYTES, "0");
    }
}
