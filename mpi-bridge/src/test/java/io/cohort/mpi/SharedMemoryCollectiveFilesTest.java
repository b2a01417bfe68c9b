package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.collective.TunedCollective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared-memory collectives' regions are files in the job's shared-memory directory, named after the job (so a
 * launcher's sweep of {@code cohort-<job>-*} removes them after a crash), one per rank and communicator, and every
 * rank removes its own when it closes.
 */
class SharedMemoryCollectiveFilesTest
{
    @Test
    void eachRankHasOneRegionFilePerCommunicatorWhileRunningAndNoneAfterClosing(@TempDir final Path dir)
    {
        final int size = 3;
        final CollectiveTuning shm = CollectiveTuning.defaults().forcing(TunedCollective.BARRIER,
            CollectiveAlgorithm.SHM);
        ThreadedJob.run(size, Map.of("COHORT_SHM_DIR", dir.toString()), cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(shm);
            world.barrier();
            final Communicator copy = world.dup();
            copy.barrier();
            // Every rank has created both of its regions once every rank has passed the second barrier.
            world.barrier();
            final List<String> names = regionFiles(dir);
            assertEquals(2 * size, names.size(), "region files while running: " + names);
            for (final String name : names)
            {
                assertTrue(name.startsWith("cohort-" + cohort.jobId() + "-"), name + " is not named after the job");
            }
            world.barrier();
        });
        assertEquals(List.of(), regionFiles(dir), "region files left after every rank closed");
    }

    private static List<String> regionFiles(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.contains("-nc")).sorted()
                .toList();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot list " + dir, ex);
        }
    }
}
