package io.cohort.transport.tcp;

/**
 * The byte stream of one TCP connection between two ranks: a sequence of records, each an 8-byte header (body
 * length, record type) followed by its body, padded to 8 bytes so every record (and every frame handed to the
 * engine) starts 8-byte aligned. Nothing but this class knows the offsets (Agrona's descriptor style).
 *
 * <pre>
 *   0       4       8
 *   +-------+-------+----------------------+---------+
 *   |length | type  | body (length bytes)  | padding |
 *   +-------+-------+----------------------+---------+
 * </pre>
 *
 * <p>A positive type is a frame of that frame type, its body the frame. Negative types are the provider's own:
 * {@link #HELLO} (first record on a connection, from the rank that opened it), {@link #BULK} (one bulk slot),
 * {@link #CREDIT} (the receiver released bulk slots),
 * {@link #GOODBYE} (the rank closed cleanly; sent both ways) and {@link #DIRECT} (bytes of a large message, for the
 * receiver's own memory; the one record not padded, since its bytes come straight from the sender's message).
 * Integers are in the machine's byte order: a job's hosts share one architecture (x86-64 or aarch64, both
 * little-endian).
 */
public final class TcpFrameLayout
{
    /** Bytes of every record's header. */
    public static final int HEADER_LENGTH = 8;
    /** Offset of the body length (int) in the header. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the record type (int) in the header. */
    public static final int TYPE_OFFSET = 4;
    /** Every record starts at a multiple of this. */
    public static final int ALIGNMENT = 8;

    /** The first record on a connection: who opened it, for which job, with which bulk geometry. */
    public static final int HELLO = -1;
    /** One bulk slot's bytes: a slot index, then the whole slot. */
    public static final int BULK = -2;
    /** The receiver of bulk slots released some: a count. */
    public static final int CREDIT = -3;
    /**
     * The sender closed cleanly: nothing more comes on this connection. A flag says whether it is the sender's last
     * word (this connection carried its frames, or it sent none); if not, the goodbye on the connection that
     * carried them ends the peer's frames.
     */
    public static final int GOODBYE = -4;
    /**
     * Bytes of a direct transfer: the receiver's transfer id, the position of the first byte, then the bytes (body
     * length minus {@link #DIRECT_PREFIX_LENGTH} plus the header), with no padding after them.
     */
    public static final int DIRECT = -5;
    /**
     * Two ranks that first sent to each other at the same moment opened a connection each; the higher rank moves
     * its traffic onto the lower rank's (one connection both ways costs the kernel less per message). This is the
     * last of its records on the connection it leaves.
     */
    public static final int MOVED = -6;
    /**
     * The first record of a rank's traffic on the connection it moved to: the receiver delivers nothing after it
     * before it has read {@link #MOVED} on the other connection, so the peer's frames stay in order.
     */
    public static final int MOVED_HERE = -7;
    /** Bytes of a moved or moved-here record (no body but padding). */
    public static final int MOVE_RECORD_LENGTH = 16;

    /** "COHT": the first int of a hello, so a stray client (a port scanner, a browser) is told apart at once. */
    public static final int MAGIC = 0x434F4854;
    /** The version of this layout; ranks of different versions refuse each other. */
    public static final int VERSION = 3;
    /** Offset of the magic in a hello record. */
    public static final int HELLO_MAGIC_OFFSET = HEADER_LENGTH;
    /** Offset of the layout version in a hello record. */
    public static final int HELLO_VERSION_OFFSET = HEADER_LENGTH + 4;
    /** Offset of the sending rank in a hello record. */
    public static final int HELLO_RANK_OFFSET = HEADER_LENGTH + 8;
    /** Offset of the sender's bulk slot count in a hello record. */
    public static final int HELLO_BULK_SLOTS_OFFSET = HEADER_LENGTH + 12;
    /** Offset of the sender's bulk slot length in a hello record. */
    public static final int HELLO_BULK_SLOT_LENGTH_OFFSET = HEADER_LENGTH + 16;
    /** Offset of the job id's length in bytes (UTF-8) in a hello record. */
    public static final int HELLO_JOB_ID_LENGTH_OFFSET = HEADER_LENGTH + 20;
    /** Offset of the job id's bytes in a hello record. */
    public static final int HELLO_JOB_ID_OFFSET = HEADER_LENGTH + 24;
    /** The longest job id a hello carries, in UTF-8 bytes. */
    public static final int MAX_JOB_ID_BYTES = 1024;

    /** Offset of the slot index in a bulk record; the slot's bytes follow at {@link #BULK_PREFIX_LENGTH}. */
    public static final int BULK_SLOT_INDEX_OFFSET = HEADER_LENGTH;
    /** Bytes of a bulk record before the slot's bytes: header, slot index, padding. */
    public static final int BULK_PREFIX_LENGTH = 16;

    /** Offset of the receiver's transfer id (long) in a direct record. */
    public static final int DIRECT_ID_OFFSET = HEADER_LENGTH;
    /** Offset of the position (long) of the record's first byte in the transfer, in a direct record. */
    public static final int DIRECT_POSITION_OFFSET = HEADER_LENGTH + 8;
    /** Bytes of a direct record before its bytes: header, transfer id, position. */
    public static final int DIRECT_PREFIX_LENGTH = HEADER_LENGTH + 16;
    /** The most bytes one direct record carries; a longer transfer takes several records. */
    public static final int MAX_DIRECT_RECORD_BYTES = 1 << 30;

    /** Offset of the number of released slots in a credit record. */
    public static final int CREDIT_COUNT_OFFSET = HEADER_LENGTH;
    /** Bytes of a credit record. */
    public static final int CREDIT_RECORD_LENGTH = 16;
    /** Offset of the flag in a goodbye record: 1 if nothing of the sender's follows it on any connection, else 0. */
    public static final int GOODBYE_LAST_OFFSET = HEADER_LENGTH;
    /** Bytes of a goodbye record. */
    public static final int GOODBYE_RECORD_LENGTH = 16;

    /** The largest frame body: 64 KiB, four times the engine's default eager limit. */
    public static final int MAX_FRAME_LENGTH = 64 * 1024;
    /** The largest frame record, header and padding included. */
    public static final int MAX_FRAME_RECORD_LENGTH = HEADER_LENGTH + MAX_FRAME_LENGTH;

    private TcpFrameLayout()
    {
    }

    /**
     * The bytes a record of a given body length takes on the wire, padding included.
     *
     * @param bodyLength the body's length
     * @return header plus body, rounded up to {@link #ALIGNMENT}
     */
    public static int recordLength(final int bodyLength)
    {
        return (HEADER_LENGTH + bodyLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * The bytes of a hello carrying a job id of a given length.
     *
     * @param jobIdBytes the job id's length in UTF-8 bytes
     * @return the hello record's length, padding included
     */
    public static int helloLength(final int jobIdBytes)
    {
        return recordLength(HELLO_JOB_ID_OFFSET - HEADER_LENGTH + jobIdBytes);
    }

    /**
     * The distance between two bulk slots in a rank's slot memory: each slot is preceded by room for its record's
     * prefix, so a slot goes out as one contiguous write with no copy.
     *
     * @param slotLength bytes per slot
     * @return the stride
     */
    public static int bulkStride(final int slotLength)
    {
        return BULK_PREFIX_LENGTH + slotLength;
    }

    /**
     * Where slot {@code index}'s bytes start in slot memory.
     *
     * @param index      the slot
     * @param slotLength bytes per slot
     * @return the offset handed to the engine
     */
    public static int bulkSlotOffset(final int index, final int slotLength)
    {
        return index * bulkStride(slotLength) + BULK_PREFIX_LENGTH;
    }
}
