package io.cohort.mpi.engine;

/**
 * The point-to-point protocol's frames, in one place (Agrona's descriptor style). Offsets are relative to the
 * frame's start; every header is a multiple of 8 bytes so payloads stay 8-byte aligned.
 *
 * <pre>
 * EAGER       context:int tag:int | payload                         small message, sent at once
 * EAGER_SYNC  context:int tag:int sendId:long | payload             small ssend: the receiver answers FIN on match
 * RTS         context:int tag:int sendId:long length:long
 *             region:int pad:int regionOffset:long                  large message: ready to send
 * CTS         sendId:long recvId:long                               receiver matched: stream DATA to recvId
 * DATA        recvId:long position:long slot:int length:int         one fragment of a large message, in a bulk slot
 * FIN         sendId:long                                           receiver is done with the sender's buffer
 * CTS_DIRECT  sendId:long recvId:long                               as CTS, and the receiver's transport will place
 *                                                                   bytes written directly into the receive's memory
 * DIRECT_DONE recvId:long length:long                               every byte was written directly, before this frame
 * </pre>
 *
 * <p>A large message whose buffer is a registered region (memory from {@code Cohort.allocate}) carries the
 * region in its RTS: the receiver copies it straight out of the sender's memory (one copy) and answers FIN.
 * A large message from other native memory may offer cross-memory attach instead (PROCESS_MEMORY): a receiver
 * whose buffer is native reads it with one system call and answers FIN; one whose buffer is on the heap answers
 * CTS. Any other large message is pipelined in fragments through the transport's bulk slots after CTS (two copies),
 * each announced by a DATA frame, unless the transport moves messages directly (a socket): then a receive into native
 * memory answers CTS_DIRECT, a sender from native memory writes the bytes straight from its buffer into the
 * connection, the receiver's transport reads them straight into the receive's buffer, and DIRECT_DONE follows.
 */
public final class FrameLayout
{
    /** Frame type of a small message. */
    public static final int EAGER = 1;
    /** Frame type of a small synchronous message. */
    public static final int EAGER_SYNC = 2;
    /** Frame type of a rendezvous request. */
    public static final int RTS = 3;
    /** Frame type of a rendezvous clear-to-send. */
    public static final int CTS = 4;
    /** Frame type of a fragment of a large message. */
    public static final int DATA = 5;
    /** Frame type of a completion notice to a sender. */
    public static final int FIN = 6;
    /** Frame type of a clear-to-send whose receiver takes the bytes directly ({@code Transport.expectDirect}). */
    public static final int CTS_DIRECT = 7;
    /** Frame type of the end of a direct transfer: every byte was written before it. */
    public static final int DIRECT_DONE = 8;

    /** Offset of the context id in EAGER, EAGER_SYNC and RTS. */
    public static final int CONTEXT_OFFSET = 0;
    /** Offset of the tag in EAGER, EAGER_SYNC and RTS. */
    public static final int TAG_OFFSET = 4;
    /** Offset of the sender's operation id in EAGER_SYNC and RTS. */
    public static final int SEND_ID_OFFSET = 8;
    /** Length of an EAGER header. */
    public static final int EAGER_HEADER = 8;
    /** Length of an EAGER_SYNC header. */
    public static final int EAGER_SYNC_HEADER = 16;

    /** Offset of the message length in RTS. */
    public static final int RTS_LENGTH_OFFSET = 16;
    /** RTS region id meaning: no region, the receiver answers CTS and the data comes in fragments. */
    public static final int NO_REGION = -1;
    /** RTS region id meaning: native memory, readable by cross-memory attach at the address in the region offset. */
    public static final int PROCESS_MEMORY = -2;
    /** Offset of the region id in RTS ({@link #NO_REGION}, {@link #PROCESS_MEMORY}, or a region's id). */
    public static final int RTS_REGION_OFFSET = 24;
    /** Offset of the data's offset within the region in RTS. */
    public static final int RTS_REGION_DATA_OFFSET = 32;
    /** Length of an RTS frame. */
    public static final int RTS_FRAME = 40;

    /** Offset of the sender's id in CTS and FIN. */
    public static final int CTRL_SEND_ID_OFFSET = 0;
    /** Offset of the receiver's id in CTS. */
    public static final int CTS_RECV_ID_OFFSET = 8;
    /** Length of a CTS frame. */
    public static final int CTS_FRAME = 16;
    /** Length of a FIN frame. */
    public static final int FIN_FRAME = 8;

    /** Offset of the receiver's id in DIRECT_DONE. */
    public static final int DONE_RECV_ID_OFFSET = 0;
    /** Offset of the message length in DIRECT_DONE. */
    public static final int DONE_LENGTH_OFFSET = 8;
    /** Length of a DIRECT_DONE frame. */
    public static final int DIRECT_DONE_FRAME = 16;

    /** Offset of the receiver's id in DATA. */
    public static final int DATA_RECV_ID_OFFSET = 0;
    /** Offset of the fragment's position in the message, in DATA. */
    public static final int DATA_POSITION_OFFSET = 8;
    /** Offset of the fragment's bulk slot, in DATA. */
    public static final int DATA_SLOT_OFFSET = 16;
    /** Offset of the fragment's length, in DATA. */
    public static final int DATA_LENGTH_OFFSET = 20;
    /** Length of a DATA frame. */
    public static final int DATA_FRAME = 24;

    private FrameLayout()
    {
    }
}
