package io.cohort.transport;

import java.lang.foreign.MemorySegment;

/**
 * One rank's end of one transport provider: it moves frames (a type and a run of bytes) to and from peer ranks,
 * and exposes memory that peers may read directly (registered regions, the base of single-copy and one-sided
 * operations).
 *
 * <p>Frames to one peer arrive in the order they were committed. Sending is two-phase, so the caller writes its
 * header and payload straight into the transport's memory with no intermediate copy:
 * <pre>{@code
 * int at = transport.tryClaim(peer, FRAME_EAGER, 8 + bytes);
 * if (at != Transport.BACK_PRESSURED) {
 *     MemorySegment out = transport.frameBuffer(peer);
 *     out.set(JAVA_INT, at, tag);           // header...
 *     MemorySegment.copy(payload, 0, out, at + 8, bytes);
 *     transport.commit(peer, at);
 * }
 * }</pre>
 *
 * <p>The life cycle is that of a job's wire-up: {@link #publish} before the first fence of the job's address
 * exchange, {@link #connect} for each peer after it, {@link #connected} after a second fence.
 *
 * <p>Not thread-safe: one thread per rank drives a transport, as MPI's funneled threading level.
 */
public interface Transport extends AutoCloseable
{
    /** Returned by {@link #tryClaim} when the peer's inbound buffer is full: progress and try again. */
    int BACK_PRESSURED = -1;

    /** The peer is running. */
    int PEER_ALIVE = 0;

    /** The peer closed its end cleanly; nothing more will come from it. */
    int PEER_FINISHED = 1;

    /** The peer died (killed, crashed, or aborted) without closing. */
    int PEER_FAILED = 2;

    /**
     * The provider's name, as used by {@code --transport}.
     *
     * @return a short lower-case name such as {@code shm}
     */
    String name();

    /**
     * How this provider reaches its peers, for {@code --report-bindings}: its name, and anything a user should know
     * about how it runs (the TCP provider says {@code tcp (nio)} when it fell back from epoll).
     *
     * @return the name, perhaps with a remark
     */
    default String describe()
    {
        return name();
    }

    /**
     * Publishes this rank's address(es) to the job's address exchange. Called before the first fence.
     *
     * @param exchange the job's key-value exchange
     */
    void publish(AddressExchange exchange);

    /**
     * Connects to one peer from the addresses published in the exchange. Called after the first fence.
     *
     * @param peer     the peer's rank
     * @param exchange the job's key-value exchange, fenced
     * @return true if this provider reaches the peer, false if it cannot (for example another host)
     */
    boolean connect(int peer, AddressExchange exchange);

    /** Called once every rank has connected (after the second fence): a provider may now drop names it shared. */
    void connected();

    /**
     * The largest frame, header included, that {@link #tryClaim} accepts.
     *
     * @return the largest frame length in bytes
     */
    int maxFrameLength();

    /**
     * Claims room for one frame to a peer.
     *
     * @param peer      the destination rank, connected through this transport
     * @param frameType a positive frame type, handed to the receiver's {@link FrameHandler}
     * @param length    the frame's length in bytes, at most {@link #maxFrameLength()}
     * @return the offset in {@link #frameBuffer(int)} at which to write the frame, or {@link #BACK_PRESSURED}
     */
    int tryClaim(int peer, int frameType, int length);

    /**
     * The memory in which frames claimed for the peer are written.
     *
     * @param peer the destination rank
     * @return a segment covering every offset {@link #tryClaim} may return for this peer
     */
    MemorySegment frameBuffer(int peer);

    /**
     * Publishes a claimed frame to the peer.
     *
     * @param peer   the destination rank
     * @param offset the offset {@link #tryClaim} returned
     */
    void commit(int peer, int offset);

    /**
     * Gives up a claimed frame without publishing it (its contents could not be written), so the ring stays usable.
     *
     * @param peer   the destination rank
     * @param offset the offset {@link #tryClaim} returned
     */
    void abortClaim(int peer, int offset);

    /**
     * Delivers frames that have arrived, in order per peer, to the handler.
     *
     * @param handler receives each frame; the frame's memory is valid only during the call
     * @param limit   the most frames to deliver from each peer in this call
     * @return the number of frames delivered, plus one if bytes of a direct transfer were placed (progress the
     *         caller cannot see as frames: a waiting rank should keep spinning rather than block)
     */
    int poll(FrameHandler handler, int limit);

    /**
     * Whether {@link #awaitFrames} can block until something arrives (a socket can wake a thread; shared memory
     * cannot, so a rank waiting on it spins, yields and parks instead).
     *
     * @return true if this provider wakes a waiting rank when a frame arrives
     */
    default boolean wakesOnArrival()
    {
        return false;
    }

    /**
     * As {@link #poll}, but when nothing has arrived, waits up to the timeout for something to: how a rank parks
     * when this provider {@link #wakesOnArrival()}. Providers that cannot wake a rank just poll.
     *
     * @param handler      receives each frame
     * @param limit        the most frames to deliver from each peer in this call
     * @param timeoutNanos the longest wait when nothing is there
     * @return the number of frames delivered
     */
    default int awaitFrames(final FrameHandler handler, final int limit, final long timeoutNanos)
    {
        return poll(handler, limit);
    }

    /**
     * The length of one bulk slot: the fragment size of large messages.
     *
     * <p>The bulk channel carries the fragments of large messages without the frame ring's overheads. A sender
     * finds the next free slot with {@link #tryClaimBulk}, fills it, calls {@link #commitBulk} and announces it in
     * a frame; the receiver copies it out of {@link #inboundBulk} and calls {@link #releaseBulk}. Slots are used
     * and released in order.
     *
     * @return bytes per slot, a multiple of 8
     */
    int bulkSlotLength();

    /**
     * Finds the next bulk slot to a peer, without taking it yet.
     *
     * @param peer the destination rank
     * @return the slot's offset in {@link #bulkBuffer(int)}, or {@link #BACK_PRESSURED} if every slot is in use
     */
    int tryClaimBulk(int peer);

    /**
     * The sender's view of the bulk slots to a peer.
     *
     * @param peer the destination rank
     * @return the slots' memory
     */
    MemorySegment bulkBuffer(int peer);

    /**
     * Takes the slot {@link #tryClaimBulk} found: it is filled and about to be announced.
     *
     * @param peer the destination rank
     */
    void commitBulk(int peer);

    /**
     * Takes the slot {@link #tryClaimBulk} found, filled from its start with {@code length} bytes: a provider that
     * moves slots over a network moves only those. Providers whose slots the receiver reads in place ignore the
     * length (the default).
     *
     * @param peer   the destination rank
     * @param length the bytes filled, from 0 to {@link #bulkSlotLength()}
     */
    default void commitBulk(final int peer, final int length)
    {
        commitBulk(peer);
    }

    /**
     * Whether large messages to and from this peer can skip the bulk slots: the sender writes straight from its
     * memory ({@link #writeDirect}) and the receiver's provider places the bytes straight into the memory the
     * receive named ({@link #expectDirect}). Over a socket the kernel's two copies are then the only ones.
     *
     * @param peer a connected rank
     * @return true if {@link #expectDirect} and {@link #writeDirect} work for the peer
     */
    default boolean movesDirect(final int peer)
    {
        return false;
    }

    /**
     * Receiver: names where the bytes of a direct transfer from a peer go, before the peer is told to send them.
     * Bytes arriving for a transfer that is not (or no longer) expected are read and dropped.
     *
     * @param peer        the sending rank
     * @param transferId  the receiver's id for the transfer, unique among its open transfers from the peer
     * @param destination native memory; the transfer's byte at position p lands at offset p
     */
    default void expectDirect(final int peer, final long transferId, final MemorySegment destination)
    {
        throw new UnsupportedOperationException(name() + " does not move messages directly");
    }

    /**
     * Receiver: forgets a transfer (complete, or abandoned: its memory may be freed), so no more bytes land there.
     *
     * @param peer       the sending rank
     * @param transferId the id given to {@link #expectDirect}
     */
    default void forgetDirect(final int peer, final long transferId)
    {
    }

    /**
     * Sender: writes bytes of a direct transfer, as many as the connection takes now without blocking, straight
     * from the source. The provider keeps no reference to the source once this returns, so the caller may reuse
     * it when every byte is taken. A transfer's bytes are written in order; frames committed after its last byte
     * arrive after it.
     *
     * @param peer       the destination rank
     * @param transferId the receiver's id for the transfer
     * @param source     native memory holding the message
     * @param position   the first byte to write, at offset position of the source and of the destination
     * @param length     bytes left to write from there
     * @return the bytes taken, from 0 (the connection is busy: progress and try again) to {@code length}
     */
    default long writeDirect(final int peer, final long transferId, final MemorySegment source, final long position,
        final long length)
    {
        throw new UnsupportedOperationException(name() + " does not move messages directly");
    }

    /**
     * The receiver's view of the bulk slots a peer fills.
     *
     * @param peer the sending rank
     * @return the slots' memory
     */
    MemorySegment inboundBulk(int peer);

    /**
     * Frees the oldest slot a peer filled, once its data has been copied out.
     *
     * @param peer the sending rank
     */
    void releaseBulk(int peer);

    /**
     * Allocates memory that peers connected through this transport can read directly: a registered region.
     * It lives until the transport is closed.
     *
     * @param bytes the size in bytes
     * @return the region's memory
     */
    MemorySegment allocateRegistered(long bytes);

    /**
     * Allocates memory under a name of this rank's choosing that peers on this host map by that name with
     * {@link #mapNamed} (the shared-memory collectives' per-communicator regions). It lives until the transport is
     * closed, and a launcher removes it after a crash like every file of the job.
     *
     * @param name  unique among this rank's named regions (letters, digits, '-')
     * @param bytes the size in bytes
     * @return zeroed memory
     * @throws TransportException if this transport has no shared memory, or the memory cannot be had
     */
    default MemorySegment allocateNamed(final String name, final long bytes)
    {
        throw new TransportException("the " + name() + " transport has no shared memory to allocate " + name + " in");
    }

    /**
     * Maps a peer's named region, if the peer has allocated it yet.
     *
     * @param peer  a rank on this host
     * @param name  the name the peer gave it
     * @param bytes the size the peer allocates
     * @return the region, or null while it does not exist yet (or is not yet sized)
     */
    default MemorySegment mapNamed(final int peer, final String name, final long bytes)
    {
        return null;
    }

    /**
     * Finds the registered region that holds a segment, allocation-free.
     *
     * @param segment a segment that may lie inside a region from {@link #allocateRegistered}
     * @return the region's id, or -1 if the segment is not wholly inside one
     */
    int regionOf(MemorySegment segment);

    /**
     * The base address of a region of this rank's, so a peer can be told where in the region its data lies.
     *
     * @param regionId an id from {@link #regionOf}
     * @return the region's base address in this process
     */
    long regionBase(int regionId);

    /**
     * A view of a peer's registered region, for reading its data in place (a one-sided get).
     *
     * @param peer     the rank that owns the region
     * @param regionId the region's id at that rank
     * @return the whole region, mapped into this process
     */
    MemorySegment remoteRegion(int peer, int regionId);

    /**
     * Whether this rank can read a peer's process memory directly (cross-memory attach).
     *
     * @param peer a connected rank
     * @return true if {@link #readProcessMemory} works for the peer
     */
    boolean canReadProcessMemory(int peer);

    /**
     * Copies bytes straight out of a peer's process memory (a one-sided get from an unregistered buffer).
     *
     * @param peer    a connected rank for which {@link #canReadProcessMemory} is true
     * @param address where the bytes lie in the peer's process
     * @param dst     native memory of this process to copy into
     * @param length  how many bytes
     */
    void readProcessMemory(int peer, long address, MemorySegment dst, long length);

    /**
     * Whether the peer is still there. Not for the fast path: it may make a system call.
     *
     * @param peer a connected rank
     * @return {@link #PEER_ALIVE}, {@link #PEER_FINISHED} or {@link #PEER_FAILED}
     */
    int peerState(int peer);

    /**
     * Removes any name (file) through which peers could still attach to this rank's memory, without unmapping
     * anything: safe to call from a shutdown hook while the rank's thread still runs. Idempotent.
     */
    void removeNamedFiles();

    /** Marks this rank as having failed, so waiting peers stop waiting for it at once. */
    void abort();

    /** Closes this rank's end: peers see it as finished. Idempotent. */
    @Override
    void close();
}
