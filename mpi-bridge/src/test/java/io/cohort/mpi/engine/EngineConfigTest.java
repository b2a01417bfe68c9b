package io.cohort.mpi.engine;

import io.cohort.mpi.CohortException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The waiting settings chosen by whether the host has a core per rank, and their overrides. */
class EngineConfigTest
{
    @Test
    void sharedMemoryCollectiveWaitsSpinLessWhenRanksOutnumberCores()
    {
        final EngineConfig ownCores = EngineConfig.fromEnvironment(Map.of(), false);
        final EngineConfig shared = EngineConfig.fromEnvironment(Map.of(), true);
        assertEquals(EngineConfig.DEFAULT_SHARED_MEMORY_SPINS, ownCores.sharedMemorySpins());
        assertEquals(EngineConfig.OVERSUBSCRIBED_SHARED_MEMORY_SPINS, shared.sharedMemorySpins());
        assertTrue(shared.sharedMemorySpins() < ownCores.sharedMemorySpins());
    }

    @Test
    void sharedMemoryWaitSpinsCanBeSetPerJob()
    {
        assertEquals(0, EngineConfig.fromEnvironment(Map.of("COHORT_SHM_WAIT_SPINS", "0"), true).sharedMemorySpins());
        assertEquals(500, EngineConfig.fromEnvironment(Map.of("COHORT_SHM_WAIT_SPINS", "500"), false)
            .sharedMemorySpins());
    }

    @Test
    void negativeSharedMemoryWaitSpinsAreRefusedNamingTheVariable()
    {
        final CohortException error = assertThrows(CohortException.class,
            () -> EngineConfig.fromEnvironment(Map.of("COHORT_SHM_WAIT_SPINS", "-1"), false));
        assertTrue(error.getMessage().contains("COHORT_SHM_WAIT_SPINS"), error.getMessage());
    }
}
