package io.cohort.node.launch;

import io.cohort.transport.shm.ShmConfig;
import io.cohort.transport.shm.ShmLayout;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Removes every shared-memory file of a job. Ranks unlink their inbound rings themselves once wired up, but a
 * rank killed during start-up, or one holding registered regions, can leave files behind: the launcher sweeps
 * them when the job ends, however it ends.
 */
public final class SharedMemoryCleanup
{
    private SharedMemoryCleanup()
    {
    }

    /**
     * Deletes the job's files.
     *
     * @param directory the shared-memory directory
     * @param jobId     the job
     * @return how many files were removed
     */
    public static int removeJobFiles(final Path directory, final String jobId)
    {
        int removed = 0;
        final String prefix = ShmLayout.jobPrefix(jobId);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, prefix + "*"))
        {
            for (final Path file : files)
            {
                if (Files.deleteIfExists(file))
                {
                    removed++;
                }
            }
        }
        catch (final IOException ex)
        {
            // Nothing more can be done from here; the names carry the job id for an operator to find them.
        }
        return removed;
    }

    /**
     * The directory ranks use, from the same setting they read.
     *
     * @param environment the ranks' environment
     * @return the shared-memory directory
     */
    public static Path directoryFor(final java.util.Map<String, String> environment)
    {
        final String dir = environment.getOrDefault("COHORT_SHM_DIR", System.getenv("COHORT_SHM_DIR"));
        return dir == null ? ShmConfig.DEFAULT_DIRECTORY : Path.of(dir);
    }
}
