package io.cohort.transport.shm;

import io.cohort.transport.Settings;
import io.cohort.transport.TransportException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of the shared-memory provider.
 *
 * @param directory      where the files live, normally /dev/shm (COHORT_SHM_DIR)
 * @param ringCapacity   the data capacity of each sender-to-receiver ring, a power of two (COHORT_SHM_RING_BYTES)
 * @param bulkSlots      fragments of large messages in flight per sender-receiver pair (COHORT_SHM_BULK_SLOTS)
 * @param bulkSlotLength the size of one fragment, a multiple of 4096 (COHORT_SHM_BULK_SLOT_BYTES)
 */
public record ShmConfig(Path directory, int ringCapacity, int bulkSlots, int bulkSlotLength)
{
    /** The default directory. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/dev/shm");
    /** The default ring capacity: 256 KiB per ordered pair of ranks (eager messages and control frames). */
    public static final int DEFAULT_RING_CAPACITY = 256 * 1024;
    /** The default number of bulk slots per pair. */
    public static final int DEFAULT_BULK_SLOTS = 8;
    /** The default bulk slot: 64 KiB, so a pair pipelines 512 KiB of a large message. */
    public static final int DEFAULT_BULK_SLOT_LENGTH = 64 * 1024;
    private static final int MIN_RING_CAPACITY = 64 * 1024;

    /** Checks the settings. */
    public ShmConfig
    {
        if (Integer.bitCount(ringCapacity) != 1 || ringCapacity < MIN_RING_CAPACITY)
        {
            throw new TransportException("COHORT_SHM_RING_BYTES=" + ringCapacity
                + " must be a power of two of at least " + MIN_RING_CAPACITY + " (for example 1048576)");
        }
        if (bulkSlots < 2 || bulkSlots > 1024)
        {
            throw new TransportException("COHORT_SHM_BULK_SLOTS=" + bulkSlots + " must be between 2 and 1024 (for "
                + "example 8)");
        }
        if (bulkSlotLength < 4096 || bulkSlotLength % 4096 != 0 || bulkSlotLength > 64 << 20)
        {
            throw new TransportException("COHORT_SHM_BULK_SLOT_BYTES=" + bulkSlotLength + " must be a multiple of "
                + "4096 between 4096 and 67108864 (for example 65536)");
        }
        if ((long) bulkSlots * bulkSlotLength > Integer.MAX_VALUE)
        {
            throw new TransportException("COHORT_SHM_BULK_SLOTS=" + bulkSlots + " times COHORT_SHM_BULK_SLOT_BYTES="
                + bulkSlotLength + " exceeds 2 GiB per pair of ranks; lower one of them");
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
        return new ShmConfig(dir == null ? DEFAULT_DIRECTORY : Path.of(dir),
            Settings.integer(env, "COHORT_SHM_RING_BYTES", DEFAULT_RING_CAPACITY),
            Settings.integer(env, "COHORT_SHM_BULK_SLOTS", DEFAULT_BULK_SLOTS),
            Settings.integer(env, "COHORT_SHM_BULK_SLOT_BYTES", DEFAULT_BULK_SLOT_LENGTH));
    }

    /**
     * The defaults, with another ring capacity.
     *
     * @param ringCapacity the ring capacity
     * @return the settings
     */
    public static ShmConfig withRingCapacity(final int ringCapacity)
    {
        return new ShmConfig(DEFAULT_DIRECTORY, ringCapacity, DEFAULT_BULK_SLOTS, DEFAULT_BULK_SLOT_LENGTH);
    }
}
