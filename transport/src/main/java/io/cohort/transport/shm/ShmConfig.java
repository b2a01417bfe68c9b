package io.cohort.transport.shm;

import io.cohort.transport.TransportException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of the shared-memory provider.
 *
 * @param directory    where the files live, normally /dev/shm (COHORT_SHM_DIR)
 * @param ringCapacity the data capacity of each sender-to-receiver ring, a power of two (COHORT_SHM_RING_BYTES)
 */
public record ShmConfig(Path directory, int ringCapacity)
{
    /** The default directory. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/dev/shm");
    /** The default ring capacity: 1 MiB per ordered pair of ranks, enough to pipeline 64 KiB fragments. */
    public static final int DEFAULT_RING_CAPACITY = 1 << 20;
    private static final int MIN_RING_CAPACITY = 64 * 1024;

    /** Checks the settings. */
    public ShmConfig
    {
        if (Integer.bitCount(ringCapacity) != 1 || ringCapacity < MIN_RING_CAPACITY)
        {
            throw new TransportException("COHORT_SHM_RING_BYTES=" + ringCapacity
                + " must be a power of two of at least " + MIN_RING_CAPACITY + " (for example 1048576)");
        }
        if (!Files.isDirectory(directory))
        {
            throw new TransportException("shared-memory directory " + directory
                + " does not exist; set COHORT_SHM_DIR to a tmpfs directory such as /dev/shm");
        }
    }

    /**
     * Reads the settings from the environment, with defaults.
     *
     * @param env the environment
     * @return the settings
     */
    public static ShmConfig fromEnvironment(final Map<String, String> env)
    {
        final String dir = env.get("COHORT_SHM_DIR");
        final String ring = env.get("COHORT_SHM_RING_BYTES");
        int capacity = DEFAULT_RING_CAPACITY;
        if (ring != null)
        {
            try
            {
                capacity = Integer.parseInt(ring.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new TransportException("COHORT_SHM_RING_BYTES=" + ring + " is not a number of bytes", ex);
            }
        }
        return new ShmConfig(dir == null ? DEFAULT_DIRECTORY : Path.of(dir), capacity);
    }
}
