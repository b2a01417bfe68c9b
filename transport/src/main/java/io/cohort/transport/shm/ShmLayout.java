package io.cohort.transport.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The layout of a rank's inbound shared-memory file, in one place (Agrona's descriptor style): a header page,
 * then one area per sending rank, each page-aligned: a single-producer single-consumer ring for frames, and a bulk
 * area of fixed-size slots for the fragments of large messages.
 *
 * <pre>
 *   0: magic (long)       8: layout version (int)   12: job size (int)
 *  16: owner pid (long)  24: owner state (int)      28: ring capacity (int)
 *  32: bulk slots (int)  36: bulk slot length (int)
 *  4096: area of rank 0 | area of rank 1 | ...
 *  area: ring (capacity + Agrona trailer, to a page) | bulk header page (consumed count: long at 0)
 *        | bulk slots (count x slot length)
 * </pre>
 *
 * <p>The bulk slots are a ring of their own: the sender fills slot {@code produced % slots} and announces it in a
 * frame; the receiver copies it out and advances the consumed count, which the sender reads to know a slot is
 * free. Unlike the frame ring, nothing is zeroed after reading, so a fragment costs exactly two copies.
 */
public final class ShmLayout
{
    /** Marks a file as a Cohort inbound file ("COHORTSH"). */
    public static final long MAGIC = 0x434F484F52545348L;
    /** Bumped whenever this layout changes. */
    public static final int VERSION = 2;

    /** Offset of the magic number. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the layout version. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the job size. */
    public static final int JOB_SIZE_OFFSET = 12;
    /** Offset of the owning rank's process id. */
    public static final int PID_OFFSET = 16;
    /** Offset of the owning rank's state, one of the STATE_ constants. */
    public static final int STATE_OFFSET = 24;
    /** Offset of the capacity of every ring in the file. */
    public static final int RING_CAPACITY_OFFSET = 28;
    /** Offset of the number of bulk slots per sender. */
    public static final int BULK_SLOTS_OFFSET = 32;
    /** Offset of the length of one bulk slot. */
    public static final int BULK_SLOT_LENGTH_OFFSET = 36;
    /** Offset, in a bulk header, of the count of slots the receiver has consumed. */
    public static final int BULK_CONSUMED_OFFSET = 0;
    /** The header's length: one page, so the rings start page-aligned. */
    public static final int HEADER_LENGTH = 4096;

    /** The owner is running. */
    public static final int STATE_RUNNING = 1;
    /** The owner closed cleanly. */
    public static final int STATE_FINISHED = 2;
    /** The owner failed and said so before it went. */
    public static final int STATE_FAILED = 3;

    private static final int PAGE = 4096;

    private ShmLayout()
    {
    }

    /**
     * The bytes a ring takes in the file, trailer included, rounded up to a page.
     *
     * @param config the provider's settings
     * @return the ring's page-aligned length
     */
    public static long ringSpan(final ShmConfig config)
    {
        return BitUtil.align(config.ringCapacity() + RingBufferDescriptor.TRAILER_LENGTH, PAGE);
    }

    /**
     * The bytes one sender's area takes in the file: ring, bulk header and bulk slots.
     *
     * @param config the provider's settings
     * @return the page-aligned length of one area
     */
    public static long areaLength(final ShmConfig config)
    {
        return ringSpan(config) + PAGE + (long) config.bulkSlots() * config.bulkSlotLength();
    }

    /**
     * Where the area written by one sender starts; its ring starts there.
     *
     * @param sender the sending rank
     * @param config the provider's settings
     * @return the area's offset in the file
     */
    public static long ringOffset(final int sender, final ShmConfig config)
    {
        return HEADER_LENGTH + sender * areaLength(config);
    }

    /**
     * Where a sender's bulk header (the consumed count) lies.
     *
     * @param sender the sending rank
     * @param config the provider's settings
     * @return the bulk header's offset in the file
     */
    public static long bulkHeaderOffset(final int sender, final ShmConfig config)
    {
        return ringOffset(sender, config) + ringSpan(config);
    }

    /**
     * Where a sender's bulk slots start.
     *
     * @param sender the sending rank
     * @param config the provider's settings
     * @return the first slot's offset in the file
     */
    public static long bulkSlotsOffset(final int sender, final ShmConfig config)
    {
        return bulkHeaderOffset(sender, config) + PAGE;
    }

    /**
     * The length of a rank's inbound file.
     *
     * @param jobSize ranks in the job
     * @param config  the provider's settings
     * @return the file's length in bytes
     */
    public static long fileLength(final int jobSize, final ShmConfig config)
    {
        return HEADER_LENGTH + jobSize * areaLength(config);
    }

    /**
     * The name of a rank's inbound file. Every file of a job starts with {@link #jobPrefix}, so a launcher can
     * remove them all.
     *
     * @param jobId the job's id
     * @param rank  the rank
     * @return the file name
     */
    public static String inboundFileName(final String jobId, final int rank)
    {
        return jobPrefix(jobId) + rank;
    }

    /**
     * The name of a registered region's file.
     *
     * @param jobId    the job's id
     * @param rank     the owning rank
     * @param regionId the region's id at that rank
     * @return the file name
     */
    public static String regionFileName(final String jobId, final int rank, final int regionId)
    {
        return jobPrefix(jobId) + rank + "-r" + regionId;
    }

    /**
     * The name of a named region's file ({@code Transport.allocateNamed}).
     *
     * @param jobId the job
     * @param rank  the owning rank
     * @param name  the region's name
     * @return the file name
     */
    public static String namedFileName(final String jobId, final int rank, final String name)
    {
        return jobPrefix(jobId) + rank + "-n" + name;
    }

    /**
     * The prefix shared by every shared-memory file of a job.
     *
     * @param jobId the job's id
     * @return the prefix
     */
    public static String jobPrefix(final String jobId)
    {
        return "cohort-" + jobId + "-";
    }
}
