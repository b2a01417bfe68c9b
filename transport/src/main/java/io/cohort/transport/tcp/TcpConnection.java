package io.cohort.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import static io.cohort.transport.tcp.TcpFrameLayout.BULK;
import static io.cohort.transport.tcp.TcpFrameLayout.BULK_PREFIX_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.BULK_SLOT_INDEX_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.CREDIT;
import static io.cohort.transport.tcp.TcpFrameLayout.CREDIT_COUNT_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.CREDIT_RECORD_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.DIRECT;
import static io.cohort.transport.tcp.TcpFrameLayout.DIRECT_ID_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.DIRECT_POSITION_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.DIRECT_PREFIX_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.MAX_DIRECT_RECORD_BYTES;
import static io.cohort.transport.tcp.TcpFrameLayout.GOODBYE;
import static io.cohort.transport.tcp.TcpFrameLayout.GOODBYE_LAST_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.GOODBYE_RECORD_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.HEADER_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO;
import static io.cohort.transport.tcp.TcpFrameLayout.LENGTH_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.MAX_FRAME_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.MOVED;
import static io.cohort.transport.tcp.TcpFrameLayout.MOVED_HERE;
import static io.cohort.transport.tcp.TcpFrameLayout.MOVE_RECORD_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.TYPE_OFFSET;

/**
 * One TCP connection between this rank and a peer, in one of two roles: opened by this rank (it carries this rank's
 * frames and bulk slots to the peer, and brings back the peer's credits) or accepted from the peer (it brings the
 * peer's frames and slots, and carries this rank's credits back). Both directions end with a goodbye on a clean
 * close.
 *
 * <p>Sending: records are written into a staging segment and handed to Netty as a reused duplicate of one buffer
 * over it, so a commit is a write system call with no copy and no allocation. The staging segment is reused from
 * its start whenever Netty holds nothing unwritten.
 *
 * <p>Receiving: bytes are copied out of Netty's read buffers into an 8-byte aligned record buffer, a record at a
 * time (frames are handed to the engine from there), except a bulk slot's bytes, which go straight into the
 * inbound slot. A read buffer that cannot be consumed (the poll's per-peer limit is reached) is kept and reading
 * pauses, so nothing is lost and nothing piles up.
 *
 * <p>Only the owning thread of the transport's event loop touches a connection.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter
{
    /** Records Netty may hold unwritten at once: beyond it a claim back-pressures. */
    static final int MAX_PENDING_RECORDS = 256;
    /** Bytes of the buffer a connection reads its socket into itself (without Netty). */
    static final int DIRECT_READ_LENGTH = 64 * 1024;
    /**
     * The most a read takes while the stream carries bulk slots: the next slot's prefix and a little of its bytes,
     * so most of the slot is read by the kernel straight into the slot rather than copied out of the read buffer.
     */
    static final int BULK_STREAM_READ_LENGTH = 4096;
    private static final int IOV_OFFSET = 32;
    private static final int DIRECT_OUT_LENGTH = IOV_OFFSET + 32;

    private final TcpTransport transport;
    private final boolean opened;
    private MemorySegment staging;
    private ByteBuf stagingBuffer;
    private final ByteBuf[] records;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>(4);
    private Channel channel;
    private FileDescriptor fd;
    private ByteBuf directBuffer;
    private MemorySegment directMemory;
    private long directAddress;
    // Sending direct records: the prefix and a two-entry iovec (prefix, bytes) for one writev, in native memory.
    private MemorySegment directOut;
    private ByteBuf directOutBuffer;
    private ByteBuf directOutView;
    private long openId;
    private long openNext;
    private long openRemaining;
    // Receiving a direct record: where its bytes go (null: dropped), and how many are still to come.
    private MemorySegment placeInto;
    private long placeId;
    private long placeAt;
    private long placeRemaining;
    private boolean bulkStream;
    private boolean bulkSeen;
    private boolean needsLoop;
    private int peer;
    private int tail;
    private int nextRecord;
    private int claims;
    private boolean open = true;
    private boolean goodbye;
    private boolean awaitingMove;
    private boolean retired;
    private int budget;

    private MemorySegment record;
    private ByteBuffer recordView;
    private int recordLength;
    private int needed = HEADER_LENGTH;
    private boolean haveHeader;
    private ByteBuffer bulkView;
    private long bulkAddress;
    private int bulkRemaining;

    /**
     * A connection's state, before its channel exists.
     *
     * @param transport the owning transport
     * @param opened    true if this rank opened it
     * @param peer      the peer's rank, or -1 until its hello names it
     * @param staging   memory for outgoing records
     * @param receive   memory for one incoming record (replaced once an accepted peer is known)
     */
    TcpConnection(final TcpTransport transport, final boolean opened, final int peer, final MemorySegment staging,
        final MemorySegment receive)
    {
        this.transport = transport;
        this.opened = opened;
        this.peer = peer;
        this.records = new ByteBuf[MAX_PENDING_RECORDS];
        stageInto(staging);
        receiveInto(receive);
    }

    private void stageInto(final MemorySegment memory)
    {
        this.staging = memory;
        this.stagingBuffer = Unpooled.wrappedBuffer(memory.asByteBuffer());
        for (int i = 0; i < records.length; i++)
        {
            records[i] = stagingBuffer.duplicate();
        }
    }

    /**
     * Gives an accepted connection, once its hello named the peer, room to carry this rank's frames to the peer too
     * (before that it had only room for a goodbye). Only while nothing staged is pending.
     *
     * @param memory the new staging memory
     */
    void growStaging(final MemorySegment memory)
    {
        if (claims == 0 && nothingUnwritten())
        {
            stagingBuffer.release(stagingBuffer.refCnt());
            stageInto(memory);
            tail = 0;
            nextRecord = 0;
        }
    }

    /**
     * Binds the connection to its channel.
     *
     * @param ch     the channel
     * @param socket the channel's socket, which this connection reads and writes itself when Netty has nothing
     *               pending on it, or null (NIO) to go through Netty always
     */
    void attach(final Channel ch, final FileDescriptor socket)
    {
        this.channel = ch;
        this.fd = socket;
        if (socket != null)
        {
            // Auto arena: a refused connection's buffer is reclaimed by the collector with the connection.
            final MemorySegment memory = Arena.ofAuto().allocate(DIRECT_READ_LENGTH, 64);
            directMemory = memory;
            directAddress = memory.address();
            directOut = Arena.ofAuto().allocate(DIRECT_OUT_LENGTH, 64);
            directOutBuffer = Unpooled.wrappedBuffer(directOut.asSlice(0, IOV_OFFSET).asByteBuffer());
            directOutView = directOutBuffer.duplicate();
            directBuffer = Unpooled.wrappedBuffer(memory.asByteBuffer());
            directBuffer.clear();
        }
    }

    Channel channel()
    {
        return channel;
    }

    int peer()
    {
        return peer;
    }

    boolean opened()
    {
        return opened;
    }

    boolean isOpen()
    {
        return open;
    }

    boolean saidGoodbye()
    {
        return goodbye;
    }

    MemorySegment staging()
    {
        return staging;
    }

    void receiveInto(final MemorySegment memory)
    {
        this.record = memory;
        this.recordView = memory.asByteBuffer();
    }

    void knownAs(final int rank)
    {
        this.peer = rank;
    }

    void budget(final int frames)
    {
        this.budget = frames;
    }

    // ------------------------------------------------------------------------------------------------ sending

    /**
     * Claims room for one record in the staging segment.
     *
     * @param type       the record type
     * @param bodyLength the body's length
     * @return the offset of the record's header, or -1 if too much is still unwritten
     */
    int claim(final int type, final int bodyLength)
    {
        if (openRemaining > 0)
        {
            // A direct record is half written: nothing may go between its bytes.
            return -1;
        }
        final int length = TcpFrameLayout.recordLength(bodyLength);
        if (claims == 0 && nothingUnwritten())
        {
            // Netty has written everything handed to it: the whole staging segment is free again.
            tail = 0;
            nextRecord = 0;
        }
        final int start = tail;
        if (start + length > staging.byteSize() || nextRecord + claims >= MAX_PENDING_RECORDS)
        {
            return -1;
        }
        staging.set(ValueLayout.JAVA_INT, start + LENGTH_OFFSET, bodyLength);
        staging.set(ValueLayout.JAVA_INT, start + TYPE_OFFSET, type);
        tail = start + length;
        claims++;
        return start;
    }

    /**
     * Hands a claimed record to the socket: written at once if the socket has room, else when it drains.
     *
     * @param start the record's offset from {@link #claim}
     */
    void commit(final int start)
    {
        claims--;
        final int length = TcpFrameLayout.recordLength(staging.get(ValueLayout.JAVA_INT, start + LENGTH_OFFSET));
        write(stagingBuffer, records[nextRecord++], staging.address(), start, length);
    }

    /**
     * Gives a claimed record up; its room comes back if it was the last one claimed.
     *
     * @param start the record's offset from {@link #claim}
     */
    void abort(final int start)
    {
        claims--;
        final int length = TcpFrameLayout.recordLength(staging.get(ValueLayout.JAVA_INT, start + LENGTH_OFFSET));
        if (start + length == tail)
        {
            tail = start;
        }
    }

    /**
     * Writes a run of a buffer through a reused duplicate of it (the duplicate must not be in Netty's hands).
     *
     * @param parent  the buffer over the memory
     * @param view    a duplicate of {@code parent} free to reuse
     * @param address the memory's address
     * @param start   where the run starts
     * @param length  bytes to write
     */
    void write(final ByteBuf parent, final ByteBuf view, final long address, final int start, final int length)
    {
        if (!open)
        {
            return;
        }
        int written = 0;
        if (fd != null && nothingUnwritten())
        {
            // Nothing queued before it: write(2) from the memory itself, no pipeline. Netty takes only the rest
            // (a full socket), and writes it on EPOLLOUT.
            written = writeDirect(address, start, length);
            if (written == length)
            {
                return;
            }
        }
        view.setIndex(start + written, start + length);
        // Netty releases the duplicate once written, which releases the parent: hold one count per write.
        parent.retain();
        channel.writeAndFlush(view, channel.voidPromise());
    }

    /**
     * Writes bytes of a direct transfer straight from the sender's memory: a new record (prefix and bytes in one
     * writev) or the rest of the one begun. Nothing is handed to Netty but, rarely, the rest of a prefix.
     *
     * @param id       the receiver's transfer id
     * @param source   native memory holding the message
     * @param position the first byte to write
     * @param length   bytes left from there
     * @return the message bytes the socket took
     */
    long writeDirect(final long id, final MemorySegment source, final long position, final long length)
    {
        if (!open || fd == null || claims > 0 || !nothingUnwritten())
        {
            return 0;
        }
        if (openRemaining > 0)
        {
            if (id != openId || position != openNext)
            {
                // Another transfer's record is half written; it goes first.
                return 0;
            }
            final int want = (int) Math.min(openRemaining, length);
            final int n = writeDirect(source.address() + position, 0, want);
            openRemaining -= n;
            openNext += n;
            return n < want ? n + handOverOneByte(source) : n;
        }
        final int chunk = (int) Math.min(length, MAX_DIRECT_RECORD_BYTES);
        final MemorySegment io = directOut;
        io.set(ValueLayout.JAVA_INT, LENGTH_OFFSET, DIRECT_PREFIX_LENGTH - HEADER_LENGTH + chunk);
        io.set(ValueLayout.JAVA_INT, TYPE_OFFSET, DIRECT);
        io.set(ValueLayout.JAVA_LONG, DIRECT_ID_OFFSET, id);
        io.set(ValueLayout.JAVA_LONG, DIRECT_POSITION_OFFSET, position);
        io.set(ValueLayout.JAVA_LONG, IOV_OFFSET, io.address());
        io.set(ValueLayout.JAVA_LONG, IOV_OFFSET + 8, DIRECT_PREFIX_LENGTH);
        io.set(ValueLayout.JAVA_LONG, IOV_OFFSET + 16, source.address() + position);
        io.set(ValueLayout.JAVA_LONG, IOV_OFFSET + 24, chunk);
        final long n;
        try
        {
            n = fd.writevAddresses(io.address() + IOV_OFFSET, 2);
        }
        catch (final IOException ex)
        {
            // The connection is broken; reading it shows how (end of stream, reset) and fails the peer.
            return 0;
        }
        openId = id;
        if (n > 0 && n < DIRECT_PREFIX_LENGTH)
        {
            // The socket took part of the prefix: Netty writes the rest; the bytes follow once it has.
            hand((int) n, DIRECT_PREFIX_LENGTH);
            openRemaining = chunk;
            openNext = position;
            return 0;
        }
        if (n == 0)
        {
            // The socket is full: the prefix goes through Netty, which waits for room on EPOLLOUT.
            hand(0, DIRECT_PREFIX_LENGTH);
            openRemaining = chunk;
            openNext = position;
            return 0;
        }
        final int taken = (int) (n - DIRECT_PREFIX_LENGTH);
        openRemaining = chunk - taken;
        openNext = position + taken;
        return taken < chunk ? taken + handOverOneByte(source) : taken;
    }

    /**
     * The socket is full halfway through a direct record: Netty gets a copy of its next byte, so it arms EPOLLOUT
     * and a rank blocked in epoll_wait wakes when the socket has room again (Netty knows nothing of bytes written
     * past it). Netty holds no reference to the sender's memory.
     *
     * @return 1, the byte taken
     */
    private int handOverOneByte(final MemorySegment source)
    {
        directOut.set(ValueLayout.JAVA_BYTE, DIRECT_PREFIX_LENGTH, source.get(ValueLayout.JAVA_BYTE, openNext));
        hand(DIRECT_PREFIX_LENGTH, DIRECT_PREFIX_LENGTH + 1);
        openRemaining--;
        openNext++;
        return 1;
    }

    private void hand(final int from, final int to)
    {
        directOutBuffer.retain();
        directOutView.setIndex(from, to);
        channel.writeAndFlush(directOutView, channel.voidPromise());
    }

    private int writeDirect(final long address, final int start, final int length)
    {
        try
        {
            return Math.max(0, fd.writeAddress(address, start, start + length));
        }
        catch (final IOException ex)
        {
            // Netty's write meets the same error and handles it (the output is shut down, the peer's last bytes
            // are still read).
            return 0;
        }
    }

    /**
     * Sends a credit for released bulk slots.
     *
     * @param count slots released
     * @return false if the staging segment has no room now
     */
    boolean sendCredit(final int count)
    {
        final int at = claim(CREDIT, CREDIT_RECORD_LENGTH - HEADER_LENGTH);
        if (at < 0)
        {
            return false;
        }
        staging.set(ValueLayout.JAVA_INT, at + CREDIT_COUNT_OFFSET, count);
        commit(at);
        return true;
    }

    /**
     * Traffic moved off this connection: only a goodbye or its end can still come, which Netty's loop reads.
     * Keepalive goes off: an idle connection's probes would declare it dead up to a few seconds earlier than the
     * connection in use (TCP_USER_TIMEOUT counts from the last probe answered, which predates a cut link), and the
     * connection in use is the one whose loss says the peer is gone.
     */
    void retire()
    {
        retired = true;
        if (channel.isOpen())
        {
            channel.config().setOption(ChannelOption.SO_KEEPALIVE, false);
        }
    }

    boolean retired()
    {
        return retired;
    }

    /**
     * Whether this rank's traffic can leave this connection now: nothing claimed and no direct record half written.
     *
     * @return true if a move record may be written
     */
    boolean canMove()
    {
        return claims == 0 && openRemaining == 0;
    }

    /**
     * Writes a move record (the last of this rank's on the connection it leaves, or the first on the one it moves
     * to).
     *
     * @param type {@link TcpFrameLayout#MOVED} or {@link TcpFrameLayout#MOVED_HERE}
     * @return false if the staging segment has no room now
     */
    boolean sendMove(final int type)
    {
        final int at = claim(type, MOVE_RECORD_LENGTH - HEADER_LENGTH);
        if (at < 0)
        {
            return false;
        }
        commit(at);
        return true;
    }

    /**
     * Sends a goodbye: this rank closes cleanly.
     *
     * @param last whether nothing of this rank's can follow it: this connection carried its frames to the peer,
     *             or it sent the peer none (else the peer waits for the goodbye on the connection that did)
     * @return false if the staging segment has no room now
     */
    boolean sendGoodbye(final boolean last)
    {
        final int at = claim(GOODBYE, GOODBYE_RECORD_LENGTH - HEADER_LENGTH);
        if (at < 0)
        {
            return false;
        }
        staging.set(ValueLayout.JAVA_INT, at + GOODBYE_LAST_OFFSET, last ? 1 : 0);
        commit(at);
        return true;
    }

    boolean nothingUnwritten()
    {
        final ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        return pending == null || pending.isEmpty();
    }

    void releaseMemory()
    {
        held.forEach(ByteBuf::release);
        held.clear();
        if (stagingBuffer.refCnt() > 0)
        {
            stagingBuffer.release(stagingBuffer.refCnt());
        }
        if (directOutBuffer != null && directOutBuffer.refCnt() > 0)
        {
            directOutBuffer.release(directOutBuffer.refCnt());
        }
    }

    // ------------------------------------------------------------------------------------------------ receiving

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf buf = (ByteBuf) msg;
        if (!held.isEmpty() || directBuffer != null && directBuffer.isReadable() || !consume(buf))
        {
            hold(buf);
            return;
        }
        buf.release();
    }

    private void hold(final ByteBuf buf)
    {
        held.addLast(buf);
        // Stop reading this socket until the held bytes are delivered: the kernel's buffer pushes back on the peer.
        channel.config().setAutoRead(false);
    }

    /**
     * Delivers what earlier polls left: a complete record, then held read buffers.
     *
     * @return true if nothing is left over
     */
    boolean drainHeld()
    {
        if (!consume(Unpooled.EMPTY_BUFFER))
        {
            return false;
        }
        if (directBuffer != null && directBuffer.isReadable() && !consume(directBuffer))
        {
            return false;
        }
        while (!held.isEmpty())
        {
            final ByteBuf first = held.peekFirst();
            if (!consume(first))
            {
                return false;
            }
            held.removeFirst().release();
        }
        if (open && !channel.config().isAutoRead())
        {
            channel.config().setAutoRead(true);
        }
        return true;
    }

    boolean hasHeld()
    {
        return !held.isEmpty() || (haveHeader && recordLength == needed)
            || directBuffer != null && directBuffer.isReadable();
    }

    /**
     * Reads the socket itself, without Netty's event loop (one read(2), no epoll_wait, no pipeline), and delivers
     * what came. Does nothing while bytes read earlier are still held (a poll's limit was reached).
     *
     * @return true if Netty's event loop must run for this socket: it ended or failed
     */
    boolean readDirect()
    {
        if (!open || !held.isEmpty() || directBuffer.isReadable() || (haveHeader && recordLength == needed))
        {
            return false;
        }
        if (bulkRemaining > 0)
        {
            // A slot's bytes are still coming: into the slot itself.
            readSlotDirect();
            if (bulkRemaining > 0)
            {
                return takeNeedsLoop();
            }
        }
        if (placeRemaining > 0)
        {
            // A direct transfer's bytes are still coming: into the receiver's memory.
            readPlacedDirect();
            if (placeRemaining > 0)
            {
                return takeNeedsLoop();
            }
        }
        final ByteBuf buf = directBuffer;
        final int n;
        try
        {
            n = fd.readAddress(directAddress, 0, bulkStream ? BULK_STREAM_READ_LENGTH : DIRECT_READ_LENGTH);
        }
        catch (final IOException ex)
        {
            // Netty's next read meets the error and closes the connection.
            return true;
        }
        if (n <= 0)
        {
            // 0: nothing there (EAGAIN); -1: the end of the stream, which Netty's loop turns into a close.
            return n < 0;
        }
        buf.setIndex(0, n);
        bulkSeen = false;
        final boolean consumed = consume(buf);
        // Small reads while slots stream in (most of each slot then lands in place), big ones otherwise.
        bulkStream = bulkSeen;
        if (consumed)
        {
            buf.clear();
        }
        else
        {
            // Keep the rest for the next poll; Netty must not read past it meanwhile.
            channel.config().setAutoRead(false);
        }
        return takeNeedsLoop();
    }

    /**
     * One non-blocking read(2) from the socket straight into native memory.
     *
     * @return the bytes read; 0 if there were none (EAGAIN); -1 at the end of the stream or on an error. When it
     *         read nothing, {@link #needsLoop} says whether Netty's loop must run to meet the end or the error and
     *         close the connection
     */
    private int readOrFlag(final long address, final int position, final int limit)
    {
        int n;
        try
        {
            n = fd.readAddress(address, position, limit);
        }
        catch (final IOException ex)
        {
            n = -1;
        }
        if (n <= 0)
        {
            needsLoop = n < 0;
        }
        return n;
    }

    private boolean takeNeedsLoop()
    {
        final boolean loop = needsLoop;
        needsLoop = false;
        return loop;
    }

    /**
     * Consumes bytes until the buffer is empty or a frame cannot be delivered now.
     *
     * @param buf bytes read from the socket
     * @return true if the buffer is used up and no record waits
     */
    private boolean consume(final ByteBuf buf)
    {
        while (true)
        {
            if (placeRemaining > 0)
            {
                final int readable = buf.readableBytes();
                if (readable == 0)
                {
                    return fd == null || !held.isEmpty() || buf != directBuffer && directBuffer.isReadable()
                        || readPlacedDirect();
                }
                place(buf, (int) Math.min(readable, placeRemaining));
                continue;
            }
            if (bulkRemaining > 0)
            {
                final int readable = buf.readableBytes();
                if (readable == 0)
                {
                    return fd == null || !held.isEmpty() || buf != directBuffer && directBuffer.isReadable()
                        || readSlotDirect();
                }
                final int take = Math.min(readable, bulkRemaining);
                final ByteBuffer view = bulkView;
                view.limit(view.position() + take);
                buf.readBytes(view);
                bulkRemaining -= take;
                continue;
            }
            if (recordLength == needed)
            {
                if (!haveHeader)
                {
                    haveHeader = true;
                    needed = recordNeeds();
                    if (needed < 0)
                    {
                        return false;
                    }
                    continue;
                }
                if (!dispatch())
                {
                    return false;
                }
                continue;
            }
            final int readable = buf.readableBytes();
            if (readable == 0)
            {
                return true;
            }
            final int take = Math.min(readable, needed - recordLength);
            final ByteBuffer view = recordView;
            view.limit(recordLength + take).position(recordLength);
            buf.readBytes(view);
            recordLength += take;
        }
    }

    /**
     * Reads the rest of a bulk slot from the socket straight into the slot: the kernel's copy is the only one.
     * Called only when every byte read earlier is consumed, so the stream stays in order.
     *
     * @return true (the bytes in hand are used up), whether the slot is complete or the socket is empty for now
     */
    private boolean readSlotDirect()
    {
        final ByteBuffer view = bulkView;
        while (bulkRemaining > 0)
        {
            final int at = view.position();
            final int n = readOrFlag(bulkAddress, at, at + bulkRemaining);
            if (n <= 0)
            {
                return true;
            }
            // The copying path narrows the limit to what it copies: widen it to cover these bytes first.
            view.limit(at + n).position(at + n);
            bulkRemaining -= n;
            transport.onBytesPlaced();
        }
        return true;
    }

    /** Moves bytes of a direct record that were read with earlier bytes to their place (or drops them). */
    private void place(final ByteBuf buf, final int take)
    {
        if (placeInto == null)
        {
            buf.skipBytes(take);
        }
        else if (buf == directBuffer)
        {
            MemorySegment.copy(directMemory, buf.readerIndex(), placeInto, placeAt, take);
            buf.skipBytes(take);
        }
        else
        {
            // A buffer of Netty's: through the record buffer, which is idle while a direct record's bytes stream.
            int left = take;
            long at = placeAt;
            while (left > 0)
            {
                final int part = (int) Math.min(left, record.byteSize());
                recordView.clear().limit(part);
                buf.readBytes(recordView);
                MemorySegment.copy(record, 0, placeInto, at, part);
                at += part;
                left -= part;
            }
        }
        placeAt += take;
        placeRemaining -= take;
    }

    /**
     * Reads the rest of a direct record from the socket straight into the receiver's memory (or drops it). Called
     * only when every byte read earlier is consumed.
     *
     * @return true (the bytes in hand are used up)
     */
    private boolean readPlacedDirect()
    {
        while (placeRemaining > 0)
        {
            final int n;
            n = placeInto != null
                ? readOrFlag(placeInto.address() + placeAt, 0, (int) Math.min(placeRemaining, 1 << 30))
                : readOrFlag(record.address(), 0, (int) Math.min(placeRemaining, record.byteSize()));
            if (n <= 0)
            {
                return true;
            }
            placeAt += n;
            placeRemaining -= n;
            transport.onBytesPlaced();
        }
        return true;
    }

    /**
     * The receiver gave up a transfer (its memory may be freed): the rest of a record of it being read is dropped.
     *
     * @param id the transfer id
     */
    void forgetDirect(final long id)
    {
        if (placeRemaining > 0 && placeId == id)
        {
            placeInto = null;
        }
    }

    /** How many bytes the record whose header is in hand needs in the record buffer; -1 if it is malformed. */
    private int recordNeeds()
    {
        final int length = record.get(ValueLayout.JAVA_INT, LENGTH_OFFSET);
        final int type = record.get(ValueLayout.JAVA_INT, TYPE_OFFSET);
        if (type == BULK)
        {
            return BULK_PREFIX_LENGTH;
        }
        if (type == DIRECT)
        {
            if (length < DIRECT_PREFIX_LENGTH - HEADER_LENGTH || DIRECT_PREFIX_LENGTH > record.byteSize())
            {
                protocolError("a direct record of " + length + " bytes on a connection that carries none");
                return -1;
            }
            return DIRECT_PREFIX_LENGTH;
        }
        if (length < 0 || length > MAX_FRAME_LENGTH || TcpFrameLayout.recordLength(length) > record.byteSize())
        {
            protocolError("a record of type " + type + " and " + length + " bytes, more than this connection "
                + "carries (" + (record.byteSize() - HEADER_LENGTH) + ")");
            return -1;
        }
        return TcpFrameLayout.recordLength(length);
    }

    /** Acts on the complete record in the record buffer; false if it is a frame that cannot be delivered now. */
    private boolean dispatch()
    {
        if (awaitingMove)
        {
            if (!transport.movedFrom(peer))
            {
                // The peer's records before its move, on its other connection, come first.
                return false;
            }
            awaitingMove = false;
        }
        final int length = record.get(ValueLayout.JAVA_INT, LENGTH_OFFSET);
        final int type = record.get(ValueLayout.JAVA_INT, TYPE_OFFSET);
        if (type > 0)
        {
            if (budget <= 0 || peer < 0 || !transport.canDeliver())
            {
                if (peer < 0)
                {
                    protocolError("a frame before the hello");
                }
                return false;
            }
            budget--;
            nextRecord();
            // Consumed before the handler runs (Agrona's read-then-advance in finally): a throwing handler loses
            // only its own frame, which it has seen.
            return transport.deliver(peer, type, record, HEADER_LENGTH, length);
        }
        switch (type)
        {
            case HELLO ->
            {
                nextRecord();
                if (peer >= 0 || opened)
                {
                    protocolError("a second hello");
                    return false;
                }
                return transport.onHello(this, record, length);
            }
            case BULK ->
            {
                final int slot = record.get(ValueLayout.JAVA_INT, BULK_SLOT_INDEX_OFFSET);
                nextRecord();
                if (peer < 0)
                {
                    protocolError("a bulk slot before the hello");
                    return false;
                }
                final int filled = TcpFrameLayout.recordLength(length) - BULK_PREFIX_LENGTH;
                bulkView = transport.inboundSlot(peer, slot);
                if (bulkView == null || filled < 0 || filled > bulkView.remaining())
                {
                    protocolError("bulk slot " + slot + " of " + filled + " bytes, out of range");
                    return false;
                }
                bulkAddress = transport.inboundSlotAddress(peer);
                bulkRemaining = filled;
                bulkSeen = true;
                return true;
            }
            case DIRECT ->
            {
                return onDirectRecord(length);
            }
            case CREDIT ->
            {
                final int count = record.get(ValueLayout.JAVA_INT, CREDIT_COUNT_OFFSET);
                nextRecord();
                if (peer < 0)
                {
                    protocolError("a credit before the hello");
                    return false;
                }
                transport.onCredit(peer, count);
                return true;
            }
            case MOVED, MOVED_HERE ->
            {
                return onMoveRecord(type);
            }
            case GOODBYE ->
            {
                final boolean last = length >= GOODBYE_RECORD_LENGTH - HEADER_LENGTH
                    && record.get(ValueLayout.JAVA_INT, GOODBYE_LAST_OFFSET) != 0;
                nextRecord();
                goodbye = true;
                if (peer >= 0)
                {
                    transport.onGoodbye(this, last);
                }
                return true;
            }
            default ->
            {
                protocolError("an unknown record type " + type);
                return false;
            }
        }
    }

    /** A direct record's prefix is in hand: its bytes go to the memory the receiver named for the transfer. */
    private boolean onDirectRecord(final int length)
    {
        final long id = record.get(ValueLayout.JAVA_LONG, DIRECT_ID_OFFSET);
        final long position = record.get(ValueLayout.JAVA_LONG, DIRECT_POSITION_OFFSET);
        final int count = length - (DIRECT_PREFIX_LENGTH - HEADER_LENGTH);
        nextRecord();
        if (peer < 0)
        {
            protocolError("direct bytes before the hello");
            return false;
        }
        final MemorySegment into = transport.directTarget(peer, id);
        if (into != null && (position < 0 || position + count > into.byteSize()))
        {
            protocolError("direct bytes " + position + " to " + (position + count) + " of transfer " + id
                + ", which holds " + into.byteSize());
            return false;
        }
        placeInto = into;
        placeId = id;
        placeAt = position;
        placeRemaining = count;
        bulkSeen = true;
        return true;
    }

    private boolean onMoveRecord(final int type)
    {
        nextRecord();
        if (peer < 0)
        {
            protocolError("a move before the hello");
            return false;
        }
        if (type == MOVED)
        {
            retire();
            transport.onMoved(peer);
        }
        else
        {
            awaitingMove = true;
        }
        return true;
    }

    private void nextRecord()
    {
        recordLength = 0;
        needed = HEADER_LENGTH;
        haveHeader = false;
    }

    private void protocolError(final String what)
    {
        transport.onProtocolError(this, what);
        closeQuietly();
    }

    void closeQuietly()
    {
        if (open)
        {
            open = false;
            channel.close();
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        open = false;
        transport.onClosed(this);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // A reset, a timed-out keepalive, a write to a closed socket: the connection is over; channelInactive says
        // whether the peer had said goodbye. A failed write alone leaves reading on (Netty shut the output down):
        // what the peer sent before it closed is still delivered, and the end of the stream then closes.
        transport.onConnectionError(this, cause);
        if (!(cause instanceof IOException) || !channel.isActive())
        {
            ctx.close();
        }
    }
}
