package io.cohort.transport.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The layout of a rank's inbound shared-memory file, in one place (Agrona's descriptor style): a header page,
 * then one single-producer single-consumer ring per sending rank, each page-aligned.
 *
 * <pre>
 *   0: magic (long)       8: layout version (int)   12: job size (int)
 *  16: owner pid (long)  24: owner state (int)      28: ring capacity (int)
 *  4096: ring of rank 0 | ring of rank 1 | ... (each capacity + Agrona trailer, rounded up to a page)
 * </pre>
 */
public final class ShmLayout
{
    /** Marks a file as a Cohort inbound file ("COHORTSH"). */
    public static final long MAGIC = 0x434F484F52545348L;
    /** Bumped whenever this layout changes. */
    public static final int VERSION = 1;

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
     * The bytes one ring takes in the file.
     *
     * @param ringCapacity the ring's data capacity, a power of two
     * @return the page-aligned length of the ring and its trailer
     */
    public static long slotLength(final int ringCapacity)
    {
        return BitUtil.align(ringCapacity + RingBufferDescriptor.TRAILER_LENGTH, PAGE);
    }

    /**
     * Where the ring written by one sender starts.
     *
     * @param sender       the sending rank
     * @param ringCapacity the ring's data capacity
     * @return the ring's offset in the file
     */
    public static long ringOffset(final int sender, final int ringCapacity)
    {
        return HEADER_LENGTH + sender * slotLength(ringCapacity);
    }

    /**
     * The length of a rank's inbound file.
     *
     * @param jobSize      ranks in the job
     * @param ringCapacity each ring's data capacity
     * @return the file's length in bytes
     */
    public static long fileLength(final int jobSize, final int ringCapacity)
    {
        return HEADER_LENGTH + jobSize * slotLength(ringCapacity);
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
