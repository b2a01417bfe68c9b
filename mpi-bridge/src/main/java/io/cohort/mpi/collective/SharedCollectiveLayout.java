package io.cohort.mpi.collective;

/**
 * The layout of one rank's shared-memory collective region (one per communicator that runs shared-memory
 * collectives, a registered region of the shared-memory transport, mapped by every other rank of the communicator).
 * Only its owner writes it; peers read. Nothing else knows these offsets.
 * <pre>
 *   0                   sequence: the owner's published step count (long), alone on its 128 bytes
 *   128                 ready: 1 once the owner has mapped every peer's region (set-up, once), alone on 128 bytes
 *   256                 direct descriptor 0 .. SLOTS-1, 64 bytes each: for a large bcast whose root's buffer is
 *                       shared memory (Cohort.allocate), where it is (region id, offset), so peers copy straight
 *                       out of it; region id -1 when the data comes through the slots; for a single-copy
 *                       allreduce, the same for the send segment and then for the receive segment
 *   512                 slot 0 .. slot SLOTS-1, SLOT_BYTES each: data the owner publishes for a step
 *   512 + SLOTS*SLOT_BYTES   small slot 0 .. SMALL_SLOTS-1, SMALL_SLOT_STRIDE each: the same, for small calls,
 *                       each a flag (long) and then up to SMALL_SLOT_BYTES of data
 * </pre>
 * The sequence only grows (no resets): a peer waits until it is at least the step it needs. 128 bytes because
 * x86 prefetches cache lines in adjacent pairs, which would otherwise make the flag share traffic with data.
 *
 * <p>Small calls (a bcast or reduce of a few KiB) rotate through their own deep ring of small slots, so a root can run
 * up to {@link #SMALL_SLOTS} calls ahead of its readers (and non-roots of a reduce ahead of the root) before it must
 * wait: on an oversubscribed host that turns one context switch per four calls into one per sixty-four.
 *
 * <p>A small slot's flag, when a call uses it, holds the step that filled the slot, and its data begins right after
 * the flag, on the same cache line: a reader that waits on that flag instead of the sequence gets the first
 * {@code 64 - 8} bytes of data with the line that tells it they are there, one cache-line transfer instead of two.
 */
final class SharedCollectiveLayout
{
    /** Bytes in a cache line. */
    static final int LINE_BYTES = 64;
    /** Bytes kept free around a flag: two 64-byte cache lines. */
    static final int FLAG_LINE = 128;
    /** Where the owner's sequence is. */
    static final long SEQUENCE_OFFSET = 0;
    /** Where the owner's ready flag is. */
    static final long READY_OFFSET = FLAG_LINE;
    /** Where the direct descriptors begin, one per slot (the slot a large bcast's first step takes). */
    static final long DESCRIPTORS_OFFSET = 2L * FLAG_LINE;
    /** In a descriptor: the id of the registered region that holds the root's data, or -1. */
    static final long DESCRIPTOR_REGION = 0;
    /** In a descriptor: where the data begins in that region. */
    static final long DESCRIPTOR_OFFSET = Long.BYTES;
    /** In a descriptor, for a single-copy allreduce: the region of the receive segment, or -1. */
    static final long DESCRIPTOR_RECV_REGION = 2L * Long.BYTES;
    /** In a descriptor, for a single-copy allreduce: where the receive segment begins in its region. */
    static final long DESCRIPTOR_RECV_OFFSET = 3L * Long.BYTES;
    /** Where the slots begin. */
    static final long SLOTS_OFFSET = 4L * FLAG_LINE;
    /** Slots per rank, used round robin: a slot is rewritten four steps later, so writers rarely wait for readers. */
    static final int SLOTS = 4;
    /** Bytes per slot: one chunk of a pipelined allreduce or bcast (256 KiB beat 64 KiB from 1 MiB up, 2 ranks). */
    static final int SLOT_BYTES = 256 * 1024;

    /** Small slots, used round robin by calls of up to {@link #SMALL_SLOT_BYTES}. */
    static final int SMALL_SLOTS = 64;
    /** Data bytes per small slot: the largest small allreduce ({@code SharedMemoryCollectives.ALL_READ_BYTES}). */
    static final int SMALL_SLOT_BYTES = 4096;
    /** The small slot's flag, before its data. */
    static final int SMALL_FLAG_BYTES = Long.BYTES;
    /** From one small slot to the next: flag and data, rounded up to whole pairs of cache lines. */
    static final int SMALL_SLOT_STRIDE = SMALL_SLOT_BYTES + FLAG_LINE;

    private SharedCollectiveLayout()
    {
    }

    /**
     * Where a slot begins.
     *
     * @param slot 0 to {@link #SLOTS} - 1
     * @return its offset in the region
     */
    static long slotOffset(final int slot)
    {
        return SLOTS_OFFSET + (long) slot * SLOT_BYTES;
    }

    /**
     * Where a slot's direct descriptor begins.
     *
     * @param slot 0 to {@link #SLOTS} - 1
     * @return its offset in the region
     */
    static long descriptorOffset(final int slot)
    {
        return DESCRIPTORS_OFFSET + (long) slot * LINE_BYTES;
    }

    /**
     * Where a small slot's flag is.
     *
     * @param slot 0 to {@link #SMALL_SLOTS} - 1
     * @return its offset in the region
     */
    static long smallFlagOffset(final int slot)
    {
        return SLOTS_OFFSET + (long) SLOTS * SLOT_BYTES + (long) slot * SMALL_SLOT_STRIDE;
    }

    /**
     * Where a small slot's data begins.
     *
     * @param slot 0 to {@link #SMALL_SLOTS} - 1
     * @return its offset in the region
     */
    static long smallSlotOffset(final int slot)
    {
        return smallFlagOffset(slot) + SMALL_FLAG_BYTES;
    }

    /**
     * The size of a region.
     *
     * @return bytes
     */
    static long regionBytes()
    {
        return SLOTS_OFFSET + (long) SLOTS * SLOT_BYTES + (long) SMALL_SLOTS * SMALL_SLOT_STRIDE;
    }
}
