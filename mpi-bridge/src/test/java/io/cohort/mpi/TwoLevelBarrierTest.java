package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;

/**
 * The barrier contract on communicators that span (logical) hosts: world ranks 0 to 7 live on hosts 0, 1, 0, 2, 1,
 * 0, 2, 1, so every size from 3 up runs the two-level form (shared memory inside each host, messages between the
 * hosts' leaders); sizes 1 and 2 and single-rank hosts keep to messages.
 */
class TwoLevelBarrierTest extends BarrierAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.SHM).withLogicalHosts(0, 1, 0, 2, 1, 0, 2, 1);
    }
}
