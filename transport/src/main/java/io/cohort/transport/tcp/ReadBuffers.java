package io.cohort.transport.tcp;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.lang.foreign.Arena;

/**
 * The buffers Netty reads one connection's socket into: one reused buffer, so a read allocates nothing. Netty's own
 * allocators wrap a sample of their buffers for leak detection, with a stack trace each, which costs tens of bytes
 * of garbage per message on average; this buffer is never lost, so it needs none.
 *
 * <p>The buffer is lent with an extra reference count and is free again when it is back to one: released by the
 * connection after consuming it, or by Netty after a read that found nothing. Only while the connection holds it
 * unconsumed (a poll's limit was reached) does a read get a fresh buffer, and reading pauses then anyway.
 */
final class ReadBuffers extends AbstractByteBufAllocator
{
    /** Bytes of the reused buffer: Netty's largest read guess. */
    static final int READ_BUFFER_LENGTH = 64 * 1024;

    // Auto arena: a refused connection's buffer is reclaimed by the collector with the connection.
    private final ByteBuf reused = Unpooled.wrappedBuffer(
        Arena.ofAuto().allocate(READ_BUFFER_LENGTH, 64).asByteBuffer());

    ReadBuffers()
    {
        super(true);
    }

    @Override
    protected ByteBuf newDirectBuffer(final int initialCapacity, final int maxCapacity)
    {
        if (reused.refCnt() == 1 && initialCapacity <= READ_BUFFER_LENGTH)
        {
            reused.clear();
            return reused.retain();
        }
        return Unpooled.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newHeapBuffer(final int initialCapacity, final int maxCapacity)
    {
        return Unpooled.buffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled()
    {
        return false;
    }
}
