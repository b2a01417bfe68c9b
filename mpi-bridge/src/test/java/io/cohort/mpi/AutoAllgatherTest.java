package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveTuning;

/**
 * The allgather contract under automatic selection by messages (shared memory off), the threshold lowered so the
 * contract's counts run the ring.
 */
class AutoAllgatherTest extends AllgatherAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return CollectiveTuning.defaults().with(CollectiveTuning.ALLGATHER_LARGE_BYTES, "2K")
            .with(CollectiveTuning.ALLGATHER_SHORT_BYTES, "1K").with(CollectiveTuning.ALLGATHER_SHM_BYTES, "0");
    }
}
