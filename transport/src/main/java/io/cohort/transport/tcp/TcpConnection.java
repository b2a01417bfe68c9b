package io.cohort.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;

import java.io.IOException;
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
import static io.cohort.transport.tcp.TcpFrameLayout.GOODBYE;
import static io.cohort.transport.tcp.TcpFrameLayout.GOODBYE_OPENED_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.GOODBYE_RECORD_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.HEADER_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO;
import static io.cohort.transport.tcp.TcpFrameLayout.LENGTH_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.MAX_FRAME_LENGTH;
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

    private final TcpTransport transport;
    private final boolean opened;
    private final MemorySegment staging;
    private final ByteBuf stagingBuffer;
    private final ByteBuf[] records;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>(4);
    private Channel channel;
    private int peer;
    private int tail;
    private int nextRecord;
    private int claims;
    private boolean open = true;
    private boolean goodbye;
    private int budget;

    private MemorySegment record;
    private ByteBuffer recordView;
    private int recordLength;
    private int needed = HEADER_LENGTH;
    private boolean haveHeader;
    private ByteBuffer bulkView;
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
        this.staging = staging;
        this.stagingBuffer = Unpooled.wrappedBuffer(staging.asByteBuffer());
        this.records = new ByteBuf[MAX_PENDING_RECORDS];
        for (int i = 0; i < records.length; i++)
        {
            records[i] = stagingBuffer.duplicate();
        }
        receiveInto(receive);
    }

    void attach(final Channel ch)
    {
        this.channel = ch;
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
        write(stagingBuffer, records[nextRecord++], start, length);
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
     * @param parent the buffer over the memory
     * @param view   a duplicate of {@code parent} free to reuse
     * @param start  where the run starts
     * @param length bytes to write
     */
    void write(final ByteBuf parent, final ByteBuf view, final int start, final int length)
    {
        if (!open)
        {
            return;
        }
        view.setIndex(start, start + length);
        // Netty releases the duplicate once written, which releases the parent: hold one count per write.
        parent.retain();
        channel.writeAndFlush(view, channel.voidPromise());
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
     * Sends a goodbye: this rank closes cleanly.
     *
     * @param openedToPeer whether this rank opened a connection to the peer (it carries this rank's frames, and
     *                     the peer must wait for the goodbye on it before taking this rank as finished)
     * @return false if the staging segment has no room now
     */
    boolean sendGoodbye(final boolean openedToPeer)
    {
        final int at = claim(GOODBYE, GOODBYE_RECORD_LENGTH - HEADER_LENGTH);
        if (at < 0)
        {
            return false;
        }
        staging.set(ValueLayout.JAVA_INT, at + GOODBYE_OPENED_OFFSET, openedToPeer ? 1 : 0);
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
    }

    // ------------------------------------------------------------------------------------------------ receiving

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf buf = (ByteBuf) msg;
        if (!held.isEmpty() || !consume(buf))
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
        return !held.isEmpty() || (haveHeader && recordLength == needed);
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
            if (bulkRemaining > 0)
            {
                final int readable = buf.readableBytes();
                if (readable == 0)
                {
                    return true;
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

    /** How many bytes the record whose header is in hand needs in the record buffer; -1 if it is malformed. */
    private int recordNeeds()
    {
        final int length = record.get(ValueLayout.JAVA_INT, LENGTH_OFFSET);
        final int type = record.get(ValueLayout.JAVA_INT, TYPE_OFFSET);
        if (type == BULK)
        {
            return BULK_PREFIX_LENGTH;
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
        final int length = record.get(ValueLayout.JAVA_INT, LENGTH_OFFSET);
        final int type = record.get(ValueLayout.JAVA_INT, TYPE_OFFSET);
        if (type > 0)
        {
            if (budget <= 0 || peer < 0 || opened || !transport.canDeliver())
            {
                if (peer < 0 || opened)
                {
                    protocolError("a frame before the hello, or against the connection's direction");
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
                if (peer < 0 || opened)
                {
                    protocolError("a bulk slot before the hello, or against the connection's direction");
                    return false;
                }
                bulkView = transport.inboundSlot(peer, slot);
                if (bulkView == null)
                {
                    protocolError("bulk slot " + slot + " out of range");
                    return false;
                }
                bulkRemaining = bulkView.remaining();
                return true;
            }
            case CREDIT ->
            {
                final int count = record.get(ValueLayout.JAVA_INT, CREDIT_COUNT_OFFSET);
                nextRecord();
                if (!opened)
                {
                    protocolError("a credit against the connection's direction");
                    return false;
                }
                transport.onCredit(peer, count);
                return true;
            }
            case GOODBYE ->
            {
                final boolean peerOpenedOwn = length >= GOODBYE_RECORD_LENGTH - HEADER_LENGTH
                    && record.get(ValueLayout.JAVA_INT, GOODBYE_OPENED_OFFSET) != 0;
                nextRecord();
                goodbye = true;
                if (peer >= 0)
                {
                    transport.onGoodbye(this, peerOpenedOwn);
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
