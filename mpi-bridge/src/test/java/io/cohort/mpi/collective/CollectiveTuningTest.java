package io.cohort.mpi.collective;

import io.cohort.mpi.CohortException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollectiveTuningTest
{
    @Test
    void automaticAllreduceGoesFromRecursiveDoublingToRabenseifnerToRingAsMessagesGrow()
    {
        final CollectiveTuning tuning = CollectiveTuning.defaults().with(CollectiveTuning.ALLREDUCE_LARGE_BYTES, "1K")
            .with(CollectiveTuning.ALLREDUCE_RING_BYTES, "1M");
        assertEquals(CollectiveAlgorithm.RECURSIVE_DOUBLING, tuning.allreduce(1023, 127, 4, true));
        assertEquals(CollectiveAlgorithm.RABENSEIFNER, tuning.allreduce(1024, 128, 4, true));
        assertEquals(CollectiveAlgorithm.RING, tuning.allreduce(1 << 20, 1 << 17, 4, true));
    }

    @Test
    void theRingIsNeverUsedForANonCommutativeOperationEvenWhenForced()
    {
        final CollectiveTuning ring = CollectiveTuning.defaults().forcing(TunedCollective.ALLREDUCE,
            CollectiveAlgorithm.RING);
        assertEquals(CollectiveAlgorithm.RING, ring.allreduce(8, 1, 4, true));
        assertEquals(CollectiveAlgorithm.RABENSEIFNER, ring.allreduce(8, 1, 4, false));
    }

    @Test
    void automaticAllreduceKeepsRecursiveDoublingWhenThereAreFewerUnitsThanRanksToSplitThemAmong()
    {
        final CollectiveTuning tuning = CollectiveTuning.defaults().with(CollectiveTuning.ALLREDUCE_LARGE_BYTES, "0");
        assertEquals(CollectiveAlgorithm.RECURSIVE_DOUBLING, tuning.allreduce(24, 3, 5, true));
        assertEquals(CollectiveAlgorithm.RABENSEIFNER, tuning.allreduce(32, 4, 5, true));
    }

    @Test
    void allgatherRunsRecursiveDoublingOnPowersOfTwoBruckOtherwiseAndTheRingForLargeData()
    {
        final CollectiveTuning tuning = CollectiveTuning.defaults();
        assertEquals(CollectiveAlgorithm.RECURSIVE_DOUBLING, tuning.allgather(64, 8));
        assertEquals(CollectiveAlgorithm.BRUCK, tuning.allgather(64, 6));
        assertEquals(CollectiveAlgorithm.RING, tuning.allgather(tuning.limit(CollectiveTuning.ALLGATHER_SHORT_BYTES),
            6));
        assertEquals(CollectiveAlgorithm.RECURSIVE_DOUBLING, tuning.allgather(
            tuning.limit(CollectiveTuning.ALLGATHER_LARGE_BYTES) - 1, 8));
        assertEquals(CollectiveAlgorithm.RING, tuning.allgather(tuning.limit(CollectiveTuning.ALLGATHER_LARGE_BYTES),
            8));
    }

    @Test
    void bcastAndAlltoallSwitchAtTheirThresholdsAndRankCounts()
    {
        final CollectiveTuning tuning = CollectiveTuning.defaults().with(CollectiveTuning.BCAST_LARGE_BYTES, "64K")
            .with(CollectiveTuning.BCAST_MIN_RANKS, "4").with(CollectiveTuning.ALLTOALL_SMALL_BYTES, "128")
            .with(CollectiveTuning.ALLTOALL_MIN_RANKS, "8");
        assertEquals(CollectiveAlgorithm.BINOMIAL, tuning.bcast(65_535, 8));
        assertEquals(CollectiveAlgorithm.SCATTER_ALLGATHER, tuning.bcast(65_536, 4));
        assertEquals(CollectiveAlgorithm.BINOMIAL, tuning.bcast(1 << 20, 3));
        assertEquals(CollectiveAlgorithm.BRUCK, tuning.alltoall(128, 8));
        assertEquals(CollectiveAlgorithm.PAIRWISE, tuning.alltoall(129, 8));
        assertEquals(CollectiveAlgorithm.PAIRWISE, tuning.alltoall(8, 7));
    }

    @Test
    void environmentVariablesOverrideTheFileWhichOverridesTheDefaults(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("coll.properties");
        Files.writeString(file, "# site tuning\nCOHORT_ALLREDUCE_ALGORITHM=ring\nCOHORT_BCAST_LARGE_BYTES=2M\n");
        final CollectiveTuning tuning = CollectiveTuning.fromEnvironment(Map.of(CollectiveTuning.FILE_VARIABLE,
            file.toString(), "COHORT_BCAST_LARGE_BYTES", "3K", "COHORT_ALLTOALL_ALGORITHM", "Bruck"));
        assertEquals(CollectiveAlgorithm.RING, tuning.forced(TunedCollective.ALLREDUCE));
        assertEquals(3072, tuning.limit(CollectiveTuning.BCAST_LARGE_BYTES));
        assertEquals(CollectiveAlgorithm.BRUCK, tuning.forced(TunedCollective.ALLTOALL));
        assertEquals(null, tuning.forced(TunedCollective.BCAST));
    }

    @Test
    void anUnknownAlgorithmIsRejectedNamingTheVariableTheValueAndTheAllowedNames()
    {
        final CohortException error = assertThrows(CohortException.class, () -> CollectiveTuning.fromEnvironment(
            Map.of("COHORT_ALLREDUCE_ALGORITHM", "bruck")));
        assertTrue(error.getMessage().contains("COHORT_ALLREDUCE_ALGORITHM=bruck"), error.getMessage());
        assertTrue(error.getMessage().contains("auto, recursive-doubling, rabenseifner, ring"), error.getMessage());
    }

    @Test
    void aBadSizeOrRankCountIsRejectedNamingTheVariableAndWhatIsAllowed()
    {
        final CohortException size = assertThrows(CohortException.class, () -> CollectiveTuning.fromEnvironment(
            Map.of("COHORT_ALLGATHER_LARGE_BYTES", "-4")));
        assertTrue(size.getMessage().contains("COHORT_ALLGATHER_LARGE_BYTES=-4"), size.getMessage());
        assertTrue(size.getMessage().contains("number of bytes >= 0"), size.getMessage());
        final CohortException ranks = assertThrows(CohortException.class, () -> CollectiveTuning.defaults()
            .with(CollectiveTuning.ALLTOALL_MIN_RANKS, "4K"));
        assertTrue(ranks.getMessage().contains("whole number >= 1"), ranks.getMessage());
    }

    @Test
    void aMisspelledSettingIsRejectedWithTheListOfSettings(@TempDir final Path dir) throws IOException
    {
        final CohortException variable = assertThrows(CohortException.class, () -> CollectiveTuning.fromEnvironment(
            Map.of("COHORT_BCAST_LARGE", "1")));
        assertTrue(variable.getMessage().contains("COHORT_BCAST_LARGE is not a collective tuning setting"),
            variable.getMessage());
        assertTrue(variable.getMessage().contains("COHORT_BCAST_LARGE_BYTES"), variable.getMessage());
        final Path file = dir.resolve("bad.properties");
        Files.writeString(file, "COHORT_ALLREDUCE_RING=1\n");
        final CohortException inFile = assertThrows(CohortException.class, () -> CollectiveTuning.fromEnvironment(
            Map.of(CollectiveTuning.FILE_VARIABLE, file.toString())));
        assertTrue(inFile.getMessage().startsWith("tuning file " + file), inFile.getMessage());
    }

    @Test
    void aMissingTuningFileIsReportedWithItsName()
    {
        final CohortException error = assertThrows(CohortException.class, () -> CollectiveTuning.fromEnvironment(
            Map.of(CollectiveTuning.FILE_VARIABLE, "/nonexistent/coll.properties")));
        assertTrue(error.getMessage().contains("COHORT_COLL_TUNING=/nonexistent/coll.properties"),
            error.getMessage());
    }
}
